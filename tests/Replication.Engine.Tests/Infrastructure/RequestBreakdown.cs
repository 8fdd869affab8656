using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Replication.Testing.Faults;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>
/// The requests a registry received through a <see cref="FaultProxy"/>, counted by kind ("HEAD manifest :tag",
/// "GET referrers", …). Auth challenges (401) are counted apart: how many a run meets depends on how its first requests
/// race, not on what it asks.
/// </summary>
public sealed partial class RequestBreakdown
{
    private readonly Dictionary<string, int> _counts;

    public RequestBreakdown(IEnumerable<ProxiedExchange> exchanges)
    {
        var all = exchanges.ToList();
        Challenges = all.Count(e => e.StatusCode == 401);
        _counts = all.Where(e => e.StatusCode != 401).CountBy(Kind).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Total = _counts.Values.Sum();
        ByPath = all.Where(e => e.StatusCode != 401).CountBy(e => $"{e.Method} {e.Path}").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>Requests other than auth challenges.</summary>
    public int Total { get; }

    /// <summary>401 answers (auth challenges).</summary>
    public int Challenges { get; }

    /// <summary>Count per "METHOD path" (auth challenges left out).</summary>
    public IReadOnlyDictionary<string, int> ByPath { get; }

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public int this[string kind] => _counts.GetValueOrDefault(kind);

    /// <summary>Source and destination side by side, one kind a line.</summary>
    public static string Table(RequestBreakdown source, RequestBreakdown destination)
    {
        var kinds = source.Counts.Keys.Union(destination.Counts.Keys).Order(StringComparer.Ordinal);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"request",-34} {"source",7} {"destination",12}");
        foreach (var kind in kinds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{kind,-34} {source[kind],7} {destination[kind],12}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{"total (401 challenges apart)",-34} {source.Total,7} {destination.Total,12}");
        text.Append(CultureInfo.InvariantCulture, $"{"401 challenges",-34} {source.Challenges,7} {destination.Challenges,12}");
        return text.ToString();
    }

    /// <summary>The kind of one request, e.g. <c>HEAD manifest :tag</c>, <c>GET manifest @digest</c>, <c>POST mount</c>.</summary>
    public static string Kind(ProxiedExchange exchange)
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

        if (path.Contains("/blobs/", StringComparison.Ordinal))
        {
            return $"{method} blob";
        }

        return $"{method} {path}";
    }

    [GeneratedRegex("^/v2/.+/manifests/(?<ref>[^/]+)$")]
    private static partial Regex ManifestPath();

    [GeneratedRegex(@"^sha256-[a-f0-9]{64}(\.(sig|att|sbom))?$")]
    private static partial Regex AttachmentTag();
}
