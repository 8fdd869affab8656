using System.Globalization;
using System.Text;

namespace Replication.Benchmarks.Reporting;

/// <summary>One row of the closing table.</summary>
/// <param name="Scenario">What ran.</param>
/// <param name="Seconds">Median duration over the rounds.</param>
/// <param name="Bytes">Bytes the scenario had to move (for MiB/s); null when it moves none (warm runs).</param>
/// <param name="Ratio">Seconds over the seconds of the reference named in <paramref name="Note"/>; null when none.</param>
/// <param name="Note">What the ratio compares with and what the scenario did.</param>
public sealed record ResultRow(string Scenario, double Seconds, long? Bytes, double? Ratio, string Note);

/// <summary>Prints rows as an aligned plain-text table (readable in a terminal and pasteable into Markdown as code).</summary>
public static class ResultTable
{
    private static readonly string[] Header = ["Scenario", "Seconds", "MiB/s", "Ratio", "Note"];

    public static string Render(IEnumerable<ResultRow> rows)
    {
        var cells = new List<string[]> { Header };
        cells.AddRange(rows.Select(r => new[]
        {
            r.Scenario,
            F(r.Seconds),
            r.Bytes is { } b && r.Seconds > 0 ? (b / 1024.0 / 1024.0 / r.Seconds).ToString("0.0", CultureInfo.InvariantCulture) : "-",
            r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "-",
            r.Note,
        }));

        var widths = Enumerable.Range(0, 5).Select(c => cells.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            var row = cells[i];
            text.Append(row[0].PadRight(widths[0])).Append("  ")
                .Append(row[1].PadLeft(widths[1])).Append("  ")
                .Append(row[2].PadLeft(widths[2])).Append("  ")
                .Append(row[3].PadLeft(widths[3])).Append("  ")
                .AppendLine(row[4]);
            if (i == 0)
            {
                text.AppendLine(new string('-', widths.Sum() + 8));
            }
        }

        return text.ToString();
    }

    public static string F(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
