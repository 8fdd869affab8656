using System.Text.RegularExpressions;

namespace Replication.Engine.Planning;

/// <summary>
/// Tags that carry a manifest's signatures and attachments rather than an image of their own: the OCI referrers tag
/// schema (<c>sha256-&lt;hex&gt;</c>) and cosign's <c>sha256-&lt;hex&gt;.sig</c>, <c>.att</c> and <c>.sbom</c>.
/// </summary>
public static partial class ReferrerTags
{
    /// <summary>The suffixes cosign uses for signatures, attestations and SBOMs.</summary>
    public static IReadOnlyList<string> CosignSuffixes { get; } = [".sig", ".att", ".sbom"];

    /// <summary>True when <paramref name="tag"/> is a referrer tag; <paramref name="subjectDigest"/> is then the digest it belongs to.</summary>
    public static bool TryGetSubject(string tag, out string subjectDigest)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var match = ReferrerTagRegex().Match(tag);
        subjectDigest = match.Success ? "sha256:" + match.Groups[1].Value : "";
        return match.Success;
    }

    /// <summary>Every referrer tag name a manifest with <paramref name="digest"/> can have (tag schema first, then cosign).</summary>
    public static IReadOnlyList<string> For(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            return [];
        }

        var schemaTag = "sha256-" + digest["sha256:".Length..];
        return [schemaTag, .. CosignSuffixes.Select(s => schemaTag + s)];
    }

    [GeneratedRegex("^sha256-([a-f0-9]{64})(?:\\.(?:sig|att|sbom))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferrerTagRegex();
}
