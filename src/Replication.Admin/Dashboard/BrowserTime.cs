using System.Globalization;
using Microsoft.JSInterop;

namespace Replication.Admin.Dashboard;

/// <summary>
/// Times in the browser's time zone. The server learns the offset once per circuit; until then (and in prerendering)
/// times show in UTC, labelled so.
/// </summary>
public sealed class BrowserTime(IJSRuntime js)
{
    private TimeSpan? _offset;

    /// <summary>True once the browser's offset is known.</summary>
    public bool IsKnown => _offset is not null;

    /// <summary>
    /// Asks the browser for its offset (once); true when it changed what pages show, which is always the first time: the
    /// prerendered " UTC" labels go even when the browser is on UTC, so a reload and the live view read the same.
    /// </summary>
    public async Task<bool> InitializeAsync()
    {
        if (_offset is not null)
        {
            return false;
        }

        try
        {
            var minutes = await js.InvokeAsync<int>("replicationAdmin.timeZoneOffsetMinutes");
            _offset = TimeSpan.FromMinutes(Math.Clamp(minutes, -14 * 60, 14 * 60));
            return true;
        }
        catch (JSException)
        {
            _offset = TimeSpan.Zero;
            return true;
        }
        catch (InvalidOperationException)
        {
            // Prerendering: no browser yet.
            return false;
        }
    }

    public DateTimeOffset ToLocal(DateTimeOffset at) => at.ToOffset(_offset ?? TimeSpan.Zero);

    /// <summary>"14:05" (with " UTC" while the browser's zone is unknown).</summary>
    public string HoursMinutes(DateTimeOffset at) => ToLocal(at).ToString("HH:mm", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>"14:05:09".</summary>
    public string Time(DateTimeOffset at) => ToLocal(at).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>"14:05:09" today, "Nov 26, 14:05" before, relative to <paramref name="now"/>.</summary>
    public string When(DateTimeOffset at, DateTimeOffset now)
    {
        var local = ToLocal(at);
        return local.Date == ToLocal(now).Date
            ? local.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + Suffix
            : local.ToString("MMM d, HH:mm", CultureInfo.InvariantCulture) + Suffix;
    }

    /// <summary>"2026-11-26 14:05:09 UTC": the same instant in UTC, for a tooltip beside a local time.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"2026-11-26 14:05:09" with the zone.</summary>
    public string Full(DateTimeOffset at) => ToLocal(at).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (IsKnown ? ToLocal(at).ToString(" 'UTC'zzz", CultureInfo.InvariantCulture) : " UTC");

    private string Suffix => IsKnown ? "" : " UTC";
}
