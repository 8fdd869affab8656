using System.Text.RegularExpressions;

namespace Replication.Registry.Content;

/// <summary>
/// The OCI distribution naming grammar, once for the client, the engine and the app: repository names and their path
/// components, tags and digests. Whether this client can verify a digest is <see cref="Digests.IsSupported"/>.
/// </summary>
public static partial class References
{
    /// <summary>Longest repository name (project and path) registries accept.</summary>
    public const int RepositoryMaxLength = 255;

    /// <summary>Longest tag the spec allows.</summary>
    public const int TagMaxLength = 128;

    /// <summary>A full repository path: path components separated by <c>/</c> (<c>team/sub/app</c>), at most <see cref="RepositoryMaxLength"/> characters.</summary>
    public static bool IsRepositoryName(string? name) => name is { Length: > 0 and <= RepositoryMaxLength } && RepositoryPattern().IsMatch(name);

    /// <summary>One part of a repository path, such as a project: lowercase letters and digits joined by <c>.</c>, <c>_</c>, <c>__</c> or dashes.</summary>
    public static bool IsPathComponent(string? component) => component is { Length: > 0 and <= RepositoryMaxLength } && PathComponentPattern().IsMatch(component);

    /// <summary>A tag: a letter, digit or <c>_</c>, then up to 127 letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.</summary>
    public static bool IsTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>
    /// A digest, <c>algorithm:encoded</c>. The registered algorithms must have their exact form (sha256: 64, sha512: 128
    /// lowercase hex digits); other algorithms need only the grammar.
    /// </summary>
    public static bool IsDigest(string? digest) => digest is not null && DigestPattern().IsMatch(digest);

    internal static void RequireRepository(string name)
    {
        if (!IsRepositoryName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid repository name (lowercase path components such as 'team/app').", nameof(name));
        }
    }

    /// <summary>A reference the client can put in a URL: a tag, or a digest it can verify.</summary>
    internal static void RequireReference(string reference)
    {
        if (!IsTag(reference) && !Digests.IsSupported(reference))
        {
            throw new ArgumentException($"'{reference}' is neither a valid tag nor a digest.", nameof(reference));
        }
    }

    // \z, not $: $ also matches before a trailing newline, and "app\n" is no name.
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\z")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z")]
    private static partial Regex PathComponentPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}|(?!sha256:|sha512:)[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)\z")]
    private static partial Regex DigestPattern();
}
