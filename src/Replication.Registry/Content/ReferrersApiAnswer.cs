namespace Replication.Registry.Content;

/// <summary>Whether a registry offers the OCI 1.1 referrers API, as far as one answer tells.</summary>
public enum ReferrersApiSupport
{
    /// <summary>It answered with an image index (possibly empty): the API exists.</summary>
    Supported,

    /// <summary>
    /// It answered 404 or 405. The distribution spec forbids a registry that offers the API to answer 404, so this
    /// holds for every repository and digest of the registry: use the <c>sha256-&lt;hex&gt;</c> tag schema from now on.
    /// </summary>
    Unsupported,

    /// <summary>It refused this one request (400, say an unsupported digest algorithm): use the tag schema for this digest only.</summary>
    Unknown,
}

/// <summary>What the referrers API said about one digest.</summary>
/// <param name="Support">What the answer tells about the registry.</param>
/// <param name="Referrers">The referrers (every page) when <see cref="Support"/> is <see cref="ReferrersApiSupport.Supported"/>; otherwise null.</param>
public sealed record ReferrersApiAnswer(ReferrersApiSupport Support, IReadOnlyList<Descriptor>? Referrers)
{
    /// <summary>The registry has no referrers API.</summary>
    public static ReferrersApiAnswer Unsupported { get; } = new(ReferrersApiSupport.Unsupported, null);

    /// <summary>No conclusion from this answer.</summary>
    public static ReferrersApiAnswer Unknown { get; } = new(ReferrersApiSupport.Unknown, null);
}
