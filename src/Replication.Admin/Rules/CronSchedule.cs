using System.Globalization;
using System.Text;
using Cronos;

namespace Replication.Admin.Rules;

/// <summary>
/// A scheduled rule's cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first),
/// or a macro such as <c>@daily</c>, always in UTC. Parsing, the next run times, and a plain-language reading.
/// </summary>
public sealed class CronSchedule
{
    public const string Syntax = "minute hour day-of-month month day-of-week, e.g. '0 2 * * *' for 02:00 every day";

    /// <summary>The most often a rule may run unless <see cref="RuleScheduleOptions.MinimumScheduleInterval"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultMinimumInterval = TimeSpan.FromMinutes(1);

    // Enough consecutive runs to meet a schedule's shortest gap: every run day repeats the same minutes and hours.
    private const int GapSampleRuns = 1500;

    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] MonthNames = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private readonly CronExpression expression;

    private CronSchedule(string text, CronExpression expression)
    {
        Text = text;
        this.expression = expression;
    }

    /// <summary>The expression as written (trimmed, single spaces).</summary>
    public string Text { get; }

    /// <summary>
    /// Null when <paramref name="text"/> is a usable schedule that never runs twice within <paramref name="minimumInterval"/>
    /// (default one minute), else what is wrong and how to fix it.
    /// </summary>
    public static string? Validate(string? text, TimeSpan? minimumInterval = null)
    {
        if (!TryParse(text, out var schedule, out var error))
        {
            return error;
        }

        var floor = minimumInterval ?? DefaultMinimumInterval;
        return schedule!.ShortestGap(DateTimeOffset.UtcNow, floor) is { } gap && gap < floor
            ? $"Cron '{schedule.Text}' runs every {Span(gap)}; a rule may run at most once every {Span(floor)}. "
              + $"Write 5 fields (no seconds), e.g. '*/5 * * * *' for every 5 minutes."
            : null;
    }

    /// <summary>The shortest time between two runs after <paramref name="from"/>, or null with fewer than two runs; stops early below <paramref name="stopBelow"/>.</summary>
    public TimeSpan? ShortestGap(DateTimeOffset from, TimeSpan stopBelow)
    {
        TimeSpan? shortest = null;
        var previous = expression.GetNextOccurrence(from, TimeZoneInfo.Utc);
        for (var i = 0; i < GapSampleRuns && previous is { } last; i++)
        {
            var next = expression.GetNextOccurrence(last, TimeZoneInfo.Utc);
            if (next is null)
            {
                break;
            }

            var gap = next.Value - last;
            shortest = shortest is null || gap < shortest ? gap : shortest;
            if (shortest < stopBelow)
            {
                break;
            }

            previous = next;
        }

        return shortest;
    }

    public static CronSchedule Parse(string text) =>
        TryParse(text, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    public static bool TryParse(string? text, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"Cron is required for a scheduled rule. Enter 5 fields: {Syntax}.";
            return false;
        }

        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var normalized = string.Join(' ', fields);
        var isMacro = fields.Length == 1 && fields[0].StartsWith('@');
        if (!isMacro && fields.Length is not (5 or 6))
        {
            error = $"Cron has {fields.Length} field{(fields.Length == 1 ? "" : "s")}; it needs 5 ({Syntax}) or 6 (seconds first).";
            return false;
        }

        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(normalized, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            error = $"Cron '{normalized}' is not valid: {Explain(exception.Message)} Write 5 fields: {Syntax}.";
            return false;
        }

        var candidate = new CronSchedule(normalized, parsed);
        if (candidate.NextRuns(DateTimeOffset.UtcNow, 1).Count == 0)
        {
            error = $"Cron '{normalized}' never runs (that date does not exist, e.g. 30 February). Choose a day that exists.";
            return false;
        }

        schedule = candidate;
        error = null;
        return true;
    }

    /// <summary>The next <paramref name="count"/> run times after <paramref name="from"/>, in UTC.</summary>
    public IReadOnlyList<DateTimeOffset> NextRuns(DateTimeOffset from, int count)
    {
        var runs = new List<DateTimeOffset>(count);
        var cursor = from;
        while (runs.Count < count && expression.GetNextOccurrence(cursor, TimeZoneInfo.Utc) is { } next)
        {
            runs.Add(next);
            cursor = next;
        }

        return runs;
    }

    /// <summary>The schedule in words, e.g. "At 02:00 UTC, every day" or "Every 15 minutes".</summary>
    public string Describe()
    {
        var fields = Text.Split(' ');
        if (fields.Length == 1)
        {
            return DescribeMacro(fields[0]);
        }

        var offset = fields.Length == 6 ? 1 : 0;
        var second = offset == 1 ? fields[0] : "0";
        var (minute, hour, day, month, weekday) = (fields[offset], fields[offset + 1], fields[offset + 2], fields[offset + 3], fields[offset + 4]);

        var text = new StringBuilder(DescribeTime(second, minute, hour));
        var days = DescribeDays(day, weekday);
        if (days.Length > 0)
        {
            text.Append(", ").Append(days);
        }

        if (month != "*")
        {
            text.Append(", in ").Append(DescribeList(month, v => MonthName(v)));
        }

        return text.ToString();
    }

    /// <summary>A run time as the dialog and the rules page show it: "Fri 27 Nov 2026, 01:30 UTC" (with seconds when not zero).</summary>
    public static string FormatRun(DateTimeOffset run) =>
        run.UtcDateTime.ToString(run.Second == 0 ? "ddd d MMM yyyy, HH:mm" : "ddd d MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public override string ToString() => Text;

    private static string DescribeTime(string second, string minute, string hour)
    {
        var prefix = second == "0" ? "" : $"{DescribeUnit(second, "second")}, ";
        if (IsNumber(minute) && IsNumber(hour))
        {
            var at = $"{int.Parse(hour, CultureInfo.InvariantCulture):00}:{int.Parse(minute, CultureInfo.InvariantCulture):00}";
            return second == "0" ? $"At {at} UTC" : $"At {at}:{Number(second):00} UTC";
        }

        if (IsNumber(minute) && hour == "*")
        {
            return Capitalize($"{prefix}at minute {Number(minute)} of every hour");
        }

        if (IsNumber(minute) && hour.StartsWith("*/", StringComparison.Ordinal))
        {
            var step = Ordinal(hour[2..]);
            return Capitalize(step.Length == 0 ? $"{prefix}at minute {Number(minute)} of every hour" : $"{prefix}at minute {Number(minute)} past every {step} hour");
        }

        if (IsNumber(minute) && IsList(hour))
        {
            var times = hour.Split(',').Select(h => $"{Number(h):00}:{Number(minute):00}");
            return Capitalize($"{prefix}at {JoinWords(times.ToList())} UTC");
        }

        if (minute == "*" && hour == "*")
        {
            return Capitalize(second == "0" ? "every minute" : $"{prefix}every minute");
        }

        var minutes = DescribeUnit(minute, "minute");
        var hours = hour == "*" ? "" : $", {DescribeUnit(hour, "hour", hourOfDay: true)}";
        return Capitalize($"{prefix}{minutes}{hours}");
    }

    private static string DescribeDays(string day, string weekday)
    {
        var anyDay = day is "*" or "?";
        var anyWeekday = weekday is "*" or "?";
        if (anyDay && anyWeekday)
        {
            return "every day";
        }

        var parts = new List<string>();
        if (!anyDay)
        {
            parts.Add(day == "L" ? "on the last day of the month" : $"on day {DescribeList(day, v => v)} of the month");
        }

        if (!anyWeekday)
        {
            parts.Add(weekday == "1-5" ? "Monday through Friday" : $"on {DescribeList(weekday, DayName)}");
        }

        return string.Join(" and ", parts);
    }

    private static string DescribeUnit(string field, string unit, bool hourOfDay = false)
    {
        if (field == "*")
        {
            return $"every {unit}";
        }

        if (field.StartsWith("*/", StringComparison.Ordinal))
        {
            return $"every {Count(field[2..], unit)}";
        }

        if (field.Contains('/', StringComparison.Ordinal))
        {
            var parts = field.Split('/');
            return $"every {Count(parts[1], unit)} from {unit} {parts[0]}";
        }

        var words = DescribeList(field, v => hourOfDay && IsNumber(v) ? $"{Number(v):00}:00" : v);
        return hourOfDay ? $"between {words} UTC" : $"at {unit} {words}";
    }

    private static string DescribeList(string field, Func<string, string> name)
    {
        var items = field.Split(',').Select(item =>
        {
            if (item.Contains('/', StringComparison.Ordinal))
            {
                return $"every {item.Split('/')[1]}";
            }

            var range = item.Split('-');
            return range.Length == 2 ? $"{name(range[0])} through {name(range[1])}" : name(item);
        }).ToList();
        return JoinWords(items);
    }

    private static string DescribeMacro(string macro) => macro.ToLowerInvariant() switch
    {
        "@yearly" or "@annually" => "At 00:00 UTC on 1 January",
        "@monthly" => "At 00:00 UTC on day 1 of the month",
        "@weekly" => "At 00:00 UTC on Sunday",
        "@daily" or "@midnight" => "At 00:00 UTC, every day",
        "@hourly" => "At minute 0 of every hour",
        "@every_minute" => "Every minute",
        "@every_second" => "Every second",
        _ => macro,
    };

    private static string DayName(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var day) && day is >= 0 and <= 7
            ? DayNames[day]
            : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(value.ToLowerInvariant()) switch
            {
                "Sun" => "Sunday", "Mon" => "Monday", "Tue" => "Tuesday", "Wed" => "Wednesday", "Thu" => "Thursday", "Fri" => "Friday", "Sat" => "Saturday",
                var other => other,
            };

    private static string MonthName(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12
            ? MonthNames[month]
            : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(value.ToLowerInvariant());

    private static string Explain(string message)
    {
        // Cronos says "The given cron expression has an invalid format. Minutes: Value must be ..."; keep the useful part.
        const string preamble = "The given cron expression has an invalid format.";
        var rest = message.StartsWith(preamble, StringComparison.Ordinal) ? message[preamble.Length..].Trim() : message;
        return rest.EndsWith('.') ? rest : rest + ".";
    }

    private static string JoinWords(List<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>"every 5 minutes", but "every minute" for a step of 1.</summary>
    private static string Count(string step, string unit) => step == "1" ? unit : $"{step} {unit}s";

    /// <summary>The step of "every Nth hour": empty for 1 (every hour), then second, third, 4th, ... 21st, 22nd, 23rd.</summary>
    private static string Ordinal(string value)
    {
        if (!IsNumber(value))
        {
            return value;
        }

        var n = Number(value);
        return n switch
        {
            1 => "",
            2 => "second",
            3 => "third",
            _ when n % 100 is 11 or 12 or 13 => $"{n}th",
            _ => (n % 10) switch { 1 => $"{n}st", 2 => $"{n}nd", 3 => $"{n}rd", _ => $"{n}th" },
        };
    }

    /// <summary>"1 second", "30 seconds", "1 minute", "5 minutes", "2 hours".</summary>
    private static string Span(TimeSpan span)
    {
        var (amount, unit) = span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? (span.TotalHours, "hour")
            : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? (span.TotalMinutes, "minute")
            : (span.TotalSeconds, "second");
        var number = amount.ToString("0.###", CultureInfo.InvariantCulture);
        return amount == 1 ? $"1 {unit}" : $"{number} {unit}s";
    }

    private static bool IsNumber(string value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool IsList(string value) => value.Split(',').All(IsNumber);

    private static int Number(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
