using System.Globalization;
using System.Text;
using Replication.Testing.Faults;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>
/// The requests a registry received through a <see cref="FaultProxy"/>, counted by kind ("HEAD manifest :tag",
/// "GET referrers", …). Auth challenges (401) are counted apart: how many a run meets depends on how its first requests
/// race, not on what it asks.
/// </summary>
public sealed class RequestBreakdown
{
    private readonly Dictionary<string, int> _counts;

    public RequestBreakdown(IEnumerable<ProxiedExchange> exchanges)
    {
        var all = exchanges.ToList();
        Challenges = all.Count(e => e.StatusCode == 401);
        _counts = all.Where(e => e.StatusCode != 401).CountBy(RequestKind.Of).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
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
}
