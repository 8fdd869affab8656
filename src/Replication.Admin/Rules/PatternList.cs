using System.Text;

namespace Replication.Admin.Rules;

/// <summary>
/// Pattern lists as the dialog edits them: one text field, patterns separated by commas, spaces or new lines. A comma
/// inside <c>{a,b}</c> or <c>[...]</c> belongs to the pattern.
/// </summary>
public static class PatternList
{
    public static List<string> Parse(string? text)
    {
        var patterns = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return patterns;
        }

        var current = new StringBuilder();
        var depth = 0;
        var inSet = false;
        foreach (var c in text)
        {
            if (inSet)
            {
                inSet = c != ']';
                current.Append(c);
                continue;
            }

            switch (c)
            {
                case ' ' or '\t' or '\r' or '\n' when depth > 0:
                    continue;
                case '[':
                    inSet = true;
                    break;
                case '{':
                    depth++;
                    break;
                case '}' when depth > 0:
                    depth--;
                    break;
                case ',' or ';' when depth == 0:
                case ' ' or '\t' or '\r' or '\n':
                    Flush(current, patterns);
                    continue;
            }

            current.Append(c);
        }

        Flush(current, patterns);
        return patterns;
    }

    public static string Format(IEnumerable<string>? patterns) => patterns is null ? "" : string.Join(", ", Clean(patterns));

    /// <summary>Trimmed, without empty entries or repeats, in the order given.</summary>
    public static List<string> Clean(IEnumerable<string>? patterns) =>
        patterns is null ? [] : patterns.Select(p => p?.Trim() ?? "").Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    private static void Flush(StringBuilder current, List<string> patterns)
    {
        if (current.Length > 0)
        {
            patterns.Add(current.ToString());
            current.Clear();
        }
    }
}
