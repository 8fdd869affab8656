using System.Globalization;
using Replication.Admin.Executions;
using Replication.Engine.Copying;

namespace Replication.Admin.Dashboard;

/// <summary>How executions read on screen: sizes, speeds, durations, statuses, digests.</summary>
public static class ExecutionText
{
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 40):0.0} TiB"),
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>"1.2 GiB / 3.4 GiB", with "so far" while the run's total still grows.</summary>
    public static string BytesInPlace(ExecutionState execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return $"{Bytes(execution.BytesDone)} / {Bytes(execution.BytesTotal)}{(execution.BytesTotalFinal ? "" : " so far")}";
    }

    public static string Rate(double bytesPerSecond) => bytesPerSecond <= 0 ? "" : Bytes((long)bytesPerSecond) + "/s";

    /// <summary>"45 s", "3 min 05 s", "2 h 07 min".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalSeconds < 1 ? "< 1 s"
            : duration.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalSeconds} s")
            : duration.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds:00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes:00} min");
    }

    public static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "Pending",
        ExecutionStatus.Running => "Running",
        ExecutionStatus.Succeeded => "Succeeded",
        ExecutionStatus.Failed => "Failed",
        ExecutionStatus.PartiallyFailed => "Partially failed",
        ExecutionStatus.Stopped => "Stopped",
        _ => status.ToString(),
    };

    public static string Trigger(ExecutionTrigger trigger) => trigger switch
    {
        ExecutionTrigger.Manual => "Manual",
        ExecutionTrigger.Scheduled => "Scheduled",
        ExecutionTrigger.Event => "Event",
        ExecutionTrigger.Initial => "Initial sync",
        ExecutionTrigger.Retry => "Retry",
        _ => trigger.ToString(),
    };

    public static string TaskStatus(ExecutionTaskStatus status) => status switch
    {
        ExecutionTaskStatus.UpToDate => "Up to date",
        _ => status.ToString(),
    };

    public static string Operation(TaskOperation operation) => operation == TaskOperation.Delete ? "Delete" : "Copy";

    /// <summary>"sha256:1a2b3c4d5e6f" (algorithm and the first 12 hex digits), as registries' UIs show digests.</summary>
    public static string ShortDigest(string? digest)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return "";
        }

        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    /// <summary>"7 copied · 3 up to date · 1 failed" for a finished execution.</summary>
    public static string Outcome(ExecutionState execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (execution.Total == 0)
        {
            return execution.Status == ExecutionStatus.Succeeded ? "Nothing to replicate" : "No artifacts";
        }

        var parts = new List<string>();
        if (execution.Succeeded > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{execution.Succeeded} replicated"));
        }

        if (execution.UpToDate > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{execution.UpToDate} up to date"));
        }

        if (execution.Failed > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{execution.Failed} failed"));
        }

        var left = execution.Total - execution.Done;
        if (left > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{left} not done"));
        }

        return string.Join(" · ", parts);
    }
}
