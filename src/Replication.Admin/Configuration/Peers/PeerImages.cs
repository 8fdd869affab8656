using System.Text.RegularExpressions;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using YamlDotNet.RepresentationModel;

namespace Replication.Admin.Configuration.Peers;

/// <summary>An image reference as regsync and skopeo write it: <c>host[:port]/path[:tag]</c>, Docker Hub's short names expanded.</summary>
public sealed partial record PeerReference(string Host, string Repository, string? Tag)
{
    public const string DockerHub = "docker.io";

    /// <summary>The project (first path segment) and the path below it; null project when the repository has one segment.</summary>
    public (string? Project, string Path) Split()
    {
        var slash = Repository.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, Repository) : (Repository[..slash], Repository[(slash + 1)..]);
    }

    /// <summary>Parses a reference; null with <paramref name="reason"/> when it is not one (or names a digest).</summary>
    public static PeerReference? Parse(string text, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        reason = null;
        if (text.Contains("{{", StringComparison.Ordinal))
        {
            reason = "it is a Go template, which is expanded by the peer at run time; write the reference out";
            return null;
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            reason = "it names a digest; rules select tags";
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : text[..slash];
        string host;
        string path;
        if (first.Length > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
        {
            host = first;
            path = text[(slash + 1)..];
        }
        else
        {
            host = DockerHub;
            path = text;
        }

        string? tag = null;
        var colon = path.LastIndexOf(':');
        if (colon > path.LastIndexOf('/'))
        {
            tag = path[(colon + 1)..];
            path = path[..colon];
        }

        if (host is DockerHub or "index.docker.io" or "registry-1.docker.io")
        {
            host = DockerHub;
            if (!path.Contains('/', StringComparison.Ordinal))
            {
                path = "library/" + path;
            }
        }

        if (path.Length == 0 || !RepositoryPath().IsMatch(path))
        {
            reason = $"'{path}' is not a repository name (lowercase letters, digits, '.', '_', '-', parts separated by '/')";
            return null;
        }

        return new PeerReference(host, path, tag);
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPath();
}

/// <summary>Shared steps of the peer readers: registries for hosts, rule names, and reading YAML nodes.</summary>
internal static partial class PeerImages
{
    /// <summary>The URL to reach a host: Docker Hub's API host, <c>http</c> when TLS is off.</summary>
    public static string UrlOf(string host, bool tls) =>
        host == PeerReference.DockerHub ? "https://registry-1.docker.io" : $"{(tls ? "https" : "http")}://{host}";

    /// <summary>A registry name from a host (<c>localhost:5000</c> becomes <c>localhost-5000</c>).</summary>
    public static string RegistryNameOf(string host) => host.Replace(':', '-');

    /// <summary>A rule name from the peer's words, unique within the file, within the name limits.</summary>
    public static string RuleName(string prefix, string text, ISet<string> taken)
    {
        var name = $"{prefix}-{NotNameCharacters().Replace(text, "-").Trim('-')}";
        if (name.Length > ReplicationRuleValidator.NameMaxLength - 3)
        {
            name = name[..(ReplicationRuleValidator.NameMaxLength - 3)].TrimEnd('-', '.', '_');
        }

        var unique = name;
        for (var i = 2; !taken.Add(unique); i++)
        {
            unique = $"{name}-{i}";
        }

        return unique;
    }

    /// <summary>A rule copying <paramref name="source"/>'s repository to <paramref name="destinationProject"/>, or why a rule cannot.</summary>
    public static ReplicationRuleInput? RuleFor(PeerReference source, string destinationProject, string? destinationRest, out string? reason)
    {
        var (project, rest) = source.Split();
        if (project is null)
        {
            reason = $"the repository '{source.Repository}' has no project (a first path segment such as 'team/'); rules replicate repositories within a project";
            return null;
        }

        if (destinationRest is not null && destinationRest != rest)
        {
            reason = $"the target renames the repository ('{rest}' becomes '{destinationRest}' below the project); rules keep the path below the project and may change only the project";
            return null;
        }

        reason = null;
        return new ReplicationRuleInput
        {
            SourceProject = project,
            Repositories = new RepositoryFilterInput { Names = [rest] },
            DestinationProject = destinationProject == project ? "" : destinationProject,
            IncludeReferrers = false,
        };
    }

    public static ImportedRegistry RegistryFor(string entry, string host, bool tls, bool verifyTls, string? username, string? password, string? passwordFromEnv, string? caCertificate, string description) =>
        new(entry, new RegistryEndpointInput
        {
            Name = RegistryNameOf(host),
            Url = UrlOf(host, tls),
            Type = RegistryTypes.DockerRegistry,
            Kind = RegistryKinds.FromHost(host),
            Username = username,
            Password = password,
            VerifyTls = verifyTls,
            CaCertificate = caCertificate,
            Description = description,
        }, passwordFromEnv, MatchByUrl: true);

    public static string? ScalarText(YamlNode? node) => node is YamlScalarNode scalar ? scalar.Value : null;

    public static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw ConfigSyntaxException.At(node, $"{what} must be a mapping (key: value lines).");

    public static YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw ConfigSyntaxException.At(node, $"{what} must be a list (entries starting with '- ').");

    public static bool? Bool(YamlNode? node, string what) => ScalarText(node)?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => throw ConfigSyntaxException.At(node!, $"{what} must be true or false."),
    };

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotNameCharacters();
}
