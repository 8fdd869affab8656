namespace Replication.Registry.Content;

/// <summary>What a tag attached to a manifest digest holds.</summary>
public enum AttachmentKind
{
    /// <summary><c>sha256-&lt;hex&gt;</c>: the OCI 1.1 referrers tag-schema fallback, an index listing the referrers.</summary>
    ReferrersIndex,

    /// <summary><c>sha256-&lt;hex&gt;.sig</c>: a cosign signature.</summary>
    Signature,

    /// <summary><c>sha256-&lt;hex&gt;.att</c>: a cosign attestation.</summary>
    Attestation,

    /// <summary><c>sha256-&lt;hex&gt;.sbom</c>: a cosign-attached SBOM.</summary>
    Sbom,
}

/// <summary>
/// Naming of tags attached to a digest. Signatures made before OCI 1.1 (cosign's default) are not referrers: they live
/// in ordinary tags named after the digest they sign, so copying a manifest's "signatures and attachments" means
/// copying these tags too, whatever the rule's tag filter says.
/// </summary>
public static class AttachmentTags
{
    /// <summary>The tags that may hang off <paramref name="digest"/>, e.g. <c>sha256-abc…</c>, <c>sha256-abc….sig</c>.</summary>
    public static IReadOnlyList<(string Tag, AttachmentKind Kind)> For(string digest)
    {
        var stem = Stem(digest);
        return
        [
            (stem, AttachmentKind.ReferrersIndex),
            (stem + ".sig", AttachmentKind.Signature),
            (stem + ".att", AttachmentKind.Attestation),
            (stem + ".sbom", AttachmentKind.Sbom),
        ];
    }

    /// <summary>The tag-schema name of a digest: <c>sha256:abc</c> becomes <c>sha256-abc</c>.</summary>
    public static string Stem(string digest) => digest.Replace(':', '-');

    /// <summary>Recognises an attachment tag and the digest it belongs to; false for ordinary tags.</summary>
    public static bool TryParse(string tag, out string digest, out AttachmentKind kind)
    {
        digest = "";
        kind = AttachmentKind.ReferrersIndex;
        var dot = tag.IndexOf('.', StringComparison.Ordinal);
        var stem = dot < 0 ? tag : tag[..dot];
        var suffix = dot < 0 ? "" : tag[dot..];
        var dash = stem.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        var candidate = stem[..dash] + ":" + stem[(dash + 1)..];
        if (!Digests.IsSupported(candidate))
        {
            return false;
        }

        AttachmentKind? found = suffix switch
        {
            "" => AttachmentKind.ReferrersIndex,
            ".sig" => AttachmentKind.Signature,
            ".att" => AttachmentKind.Attestation,
            ".sbom" => AttachmentKind.Sbom,
            _ => null,
        };
        if (found is null)
        {
            return false;
        }

        digest = candidate;
        kind = found.Value;
        return true;
    }
}
