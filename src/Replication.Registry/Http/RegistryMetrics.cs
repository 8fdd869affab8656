using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Replication.Registry.Http;

/// <summary>
/// What the transport measures, on the <see cref="MeterName"/> meter (System.Diagnostics.Metrics; the app exports it):
/// requests by registry and status code with their latency, and back-offs a registry asked for (429, 503).
/// </summary>
public static class RegistryMetrics
{
    public const string MeterName = "Replication.Registry";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "replication.registry.requests", "{request}", "HTTP requests to registries, by registry (host:port), method and status code (or 'error').");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "replication.registry.request.duration", "s", "Time to a registry's response headers.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter<long> Backoffs = Meter.CreateCounter<long>(
        "replication.registry.backoffs", "{backoff}", "Back-offs because a registry answered 429 Too Many Requests or 503 Service Unavailable.");

    internal static void Record(string registry, string method, int? statusCode, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "registry", registry },
            { "method", method },
            { "status_code", statusCode?.ToString(CultureInfo.InvariantCulture) ?? "error" },
        };
        Requests.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }

    internal static void RecordBackoff(string registry, int statusCode) =>
        Backoffs.Add(1, new TagList { { "registry", registry }, { "status_code", statusCode.ToString(CultureInfo.InvariantCulture) } });
}
