using Replication.Admin.Rules;
using YamlDotNet.RepresentationModel;
using static Replication.Admin.Configuration.Peers.PeerImages;

namespace Replication.Admin.Configuration.Peers;

/// <summary>
/// A <c>skopeo sync --src yaml</c> file as registries and rules. skopeo takes the destination on its command line
/// (<c>skopeo sync --src yaml --dest docker sync.yml my-registry.local.lan/repo</c>), so the import needs it too; like
/// skopeo without <c>--scoped</c>, each image lands under it by the last part of its name. Each repository of
/// <c>images</c> and of <c>images-by-tag-regex</c> becomes one rule; one that names a digest, a semver range or a
/// regex without an exact tag pattern is listed as unsupported with the reason and not imported.
/// </summary>
public static class SkopeoSyncReader
{
    public const string DestinationField = "destination";

    public static ImportSet Read(string text, string? destination)
    {
        var set = new ImportSet();
        var target = ParseDestination(destination, set);
        if (ConfigYaml.ReadTree(text) is not { } root)
        {
            return set;
        }

        var ruleNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var destinationAdded = false;
        foreach (var (hostNode, registryNode) in Mapping(root, "A skopeo sync file").Children)
        {
            var host = ScalarText(hostNode)?.Trim() ?? "";
            var registry = Mapping(registryNode, $"The entry of {host}");
            var tlsVerify = Bool(Child(registry, "tls-verify"), "tls-verify") ?? true;
            var credentials = Child(registry, "credentials") is { } node ? Mapping(node, "credentials") : null;
            var sourceProblem = (string?)null;
            var candidates = new List<(string Entry, PeerReference Source, PatternFilterInput? Tags, string? Problem)>();
            foreach (var (keyNode, value) in registry.Children)
            {
                var key = ScalarText(keyNode) ?? "";
                switch (key)
                {
                    case "tls-verify" or "credentials":
                        break;
                    case "images":
                        foreach (var (repoNode, tagsNode) in Mapping(value, "images").Children)
                        {
                            var entry = $"{host}/{ScalarText(repoNode)}";
                            var tags = tagsNode is YamlSequenceNode list ? list.Children.Select(t => ScalarText(t) ?? "").ToList() : [];
                            candidates.Add(Candidate(entry, host, ScalarText(repoNode), tags.FirstOrDefault(t => t.Contains(':', StringComparison.Ordinal)) is { } digest
                                ? ($"'{digest}' copies one image by digest; rules select tags", null)
                                : (null, new PatternFilterInput { Include = tags })));
                        }

                        break;
                    case "images-by-tag-regex":
                        foreach (var (repoNode, regexNode) in Mapping(value, "images-by-tag-regex").Children)
                        {
                            var entry = $"{host}/{ScalarText(repoNode)} (images-by-tag-regex)";
                            var glob = TagRegexTranslator.Translate(ScalarText(regexNode) ?? "", anchored: false, out var problem);
                            candidates.Add(Candidate(entry, host, ScalarText(repoNode), glob is null ? (problem, null) : (null, new PatternFilterInput { Include = [glob] })));
                        }

                        break;
                    case "images-by-semver":
                        foreach (var repoNode in Mapping(value, "images-by-semver").Children.Keys)
                        {
                            set.Unsupported.Add(new UnsupportedEntry($"{host}/{ScalarText(repoNode)} (images-by-semver)", "semver ranges are not a tag filter of rules yet; list the tags or a tag pattern instead"));
                        }

                        break;
                    case "cert-dir":
                        sourceProblem = $"cert-dir '{ScalarText(value)}' reads certificates from a directory of the machine running skopeo; register {host} with its CA certificate pasted, then import again";
                        break;
                    default:
                        sourceProblem = $"'{key}' is not a skopeo sync setting this app knows";
                        break;
                }
            }

            var imported = 0;
            foreach (var (entry, source, tags, problem) in candidates)
            {
                var reason = problem ?? sourceProblem;
                var input = reason is null && target is not null ? RuleFor(source, target.Value.Project, null, out reason) : null;
                if (input is null)
                {
                    if (reason is not null || target is not null)
                    {
                        set.Unsupported.Add(new UnsupportedEntry(entry, reason!));
                    }

                    continue;
                }

                var (_, rest) = source.Split();
                if (rest.Contains('/', StringComparison.Ordinal))
                {
                    set.Unsupported.Add(new UnsupportedEntry(entry, $"skopeo puts it at {target!.Value.Project}/{rest[(rest.LastIndexOf('/') + 1)..]} (the last part of its name); rules keep the path below the project ({rest})"));
                    continue;
                }

                input.Name = RuleName("skopeo", $"{source.Host}-{source.Repository}" + (entry.EndsWith(')') ? "-regex" : ""), ruleNames);
                input.Description = $"Imported from skopeo sync: {source.Host}/{source.Repository}";
                input.Tags = tags!;
                set.Rules.Add(new ImportedRule(entry, input, RegistryNameOf(source.Host), target!.Value.Registry));
                imported++;
            }

            if (imported > 0)
            {
                set.Registries.Add(RegistryFor(
                    host, host, tls: true, verifyTls: tlsVerify, ScalarText(credentials is null ? null : Child(credentials, "username")),
                    ScalarText(credentials is null ? null : Child(credentials, "password")), null, null, "Imported from skopeo sync"));
            }

            if (imported > 0 && !destinationAdded && target is { IsHost: true } host2)
            {
                set.Registries.Add(RegistryFor(DestinationField, host2.Host, tls: true, verifyTls: true, null, null, null, null, "Imported from skopeo sync (destination)"));
                destinationAdded = true;
            }
        }

        return set;
    }

    /// <summary>
    /// The destination skopeo was given: <c>host[:port]/project</c>, where host may also be the name of a registered
    /// registry. Null (with an error in <paramref name="set"/>) when missing or not of that shape.
    /// </summary>
    private static (string Registry, string Host, string Project, bool IsHost)? ParseDestination(string? destination, ImportSet set)
    {
        var parts = destination?.Trim().Trim('/').Split('/') ?? [];
        if (parts.Length != 2 || parts.Any(p => p.Length == 0))
        {
            set.Errors[DestinationField] = [
                "Give the destination as you would to skopeo sync after the file, a registry and one project: e.g. my-registry.local.lan/repo " +
                "(or the name of a registered registry and a project: dst/repo)."];
            return null;
        }

        var isHost = parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost";
        return (isHost ? RegistryNameOf(parts[0]) : parts[0], parts[0], parts[1], isHost);
    }

    private static (string Entry, PeerReference Source, PatternFilterInput? Tags, string? Problem) Candidate(string entry, string host, string? repository, (string? Problem, PatternFilterInput? Tags) what)
    {
        var source = PeerReference.Parse($"{host}/{repository}", out var problem);
        return source is null
            ? (entry, new PeerReference(host, repository ?? "", null), null, problem)
            : (entry, source, what.Tags, what.Problem);
    }
}
