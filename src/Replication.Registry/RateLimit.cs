using System.Globalization;

namespace Replication.Registry;

/// <summary>
/// A registry's pull rate limit as it announces it (<c>ratelimit-limit: 100;w=21600</c>, <c>ratelimit-remaining:
/// 76;w=21600</c>; Docker Hub sends them on manifest requests): requests allowed per window and how many are left.
/// </summary>
public sealed record RateLimit(int Limit, int Remaining, TimeSpan? Window)
{
    /// <summary>The headers of <paramref name="response"/>, or null when it carries none (or unreadable ones).</summary>
    public static RateLimit? From(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Read(response, "ratelimit-limit") is not { } limit || Read(response, "ratelimit-remaining") is not { } remaining)
        {
            return null;
        }

        return new RateLimit(limit.Value, remaining.Value, limit.Window ?? remaining.Window);
    }

    /// <summary>True when a tenth or less of the limit is left: time to slow down or authenticate.</summary>
    public bool IsLow => Remaining <= Limit / 10;

    /// <summary><c>76 of 100 left per 6 h</c>.</summary>
    public override string ToString() => $"{Remaining} of {Limit} left" + (Window is { } w ? $" per {Describe(w)}" : "");

    private static string Describe(TimeSpan window) =>
        window.TotalHours >= 1 && window.TotalHours == Math.Floor(window.TotalHours) ? $"{window.TotalHours:0} h"
        : window.TotalMinutes >= 1 && window.TotalMinutes == Math.Floor(window.TotalMinutes) ? $"{window.TotalMinutes:0} min"
        : $"{window.TotalSeconds:0} s";

    private static (int Value, TimeSpan? Window)? Read(HttpResponseMessage response, string name)
    {
        if (!response.Headers.TryGetValues(name, out var values))
        {
            return null;
        }

        // "100;w=21600": the count, then optional parameters of which w is the window in seconds.
        var parts = values.First().Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        TimeSpan? window = null;
        foreach (var parameter in parts.Skip(1))
        {
            if (parameter.StartsWith("w=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(parameter[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                window = TimeSpan.FromSeconds(seconds);
            }
        }

        return (value, window);
    }
}
