using System.Text.RegularExpressions;

namespace Replication.Testing.Faults;

/// <summary>Names what a proxied request asked, so request counts can be compared by kind across runs and tools.</summary>
public static partial class RequestKind
{
    /// <summary>The kind of one request, e.g. <c>HEAD manifest :tag</c>, <c>GET manifest @digest</c>, <c>POST mount</c>.</summary>
    /// <param name="exchange">A request the proxy recorded.</param>
    public static string Of(ProxiedExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var (method, path, query) = (exchange.Method, exchange.Path, exchange.Query);
        if (path is "/v2/" or "/v2")
        {
            return $"{method} /v2/";
        }

        if (path == "/v2/_catalog")
        {
            return $"{method} catalog";
        }

        if (path.EndsWith("/tags/list", StringComparison.Ordinal))
        {
            return $"{method} tags/list";
        }

        if (ManifestPath().Match(path) is { Success: true } manifest)
        {
            var reference = manifest.Groups["ref"].Value;
            var of = reference.StartsWith("sha256:", StringComparison.Ordinal) ? "@digest"
                : AttachmentTag().IsMatch(reference) ? ":attachment-tag"
                : ":tag";
            return $"{method} manifest {of}";
        }

        if (path.Contains("/referrers/", StringComparison.Ordinal))
        {
            return $"{method} referrers";
        }

        if (path.Contains("/blobs/uploads", StringComparison.Ordinal))
        {
            return method == "POST" && query.Contains("mount=", StringComparison.Ordinal) ? "POST mount" : $"{method} upload";
        }

        return path.Contains("/blobs/", StringComparison.Ordinal) ? $"{method} blob" : $"{method} {path}";
    }

    [GeneratedRegex("^/v2/.+/manifests/(?<ref>[^/]+)$")]
    private static partial Regex ManifestPath();

    // Signature and attachment tags: the referrers tag schema (sha256-<hex>) and cosign's .sig / .att / .sbom.
    [GeneratedRegex(@"^sha256-[a-f0-9]{64}(\.(sig|att|sbom))?$")]
    private static partial Regex AttachmentTag();
}
