using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Executions;

namespace Replication.Admin.Operations;

/// <summary>
/// The app's own metrics (meter <see cref="MeterName"/>), made from each committed execution outcome, plus the queue depth
/// and running executions sampled from the database (so every node reports the cluster's, not only its own).
/// </summary>
public sealed class ReplicationMetrics(IDbContextFactory<ReplicationDbContext> contextFactory) : IExecutionOutcomeHandler
{
    public const string MeterName = "Replication.Admin";

    // One meter per process, like the registry client's: several hosts in one process (tests) would otherwise publish
    // the same instruments twice, and a disposed host's copy would take the live one's series with it.
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "replication.transferred", "By", "Bytes streamed from source to destination, by rule; added when an execution ends.");

    private static readonly Counter<long> Executions = Meter.CreateCounter<long>(
        "replication.executions", "{execution}", "Finished executions by rule and outcome (succeeded, failed, partiallyFailed, stopped).");

    private static readonly Counter<long> TaskFailures = Meter.CreateCounter<long>(
        "replication.task.failures", "{task}", "Failed tasks by rule and cause (auth, network, timeout, rate_limited, not_found, other).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "replication.execution.duration", "s", "Execution run time, start to outcome, by rule and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> ConsecutiveFailures = new(StringComparer.Ordinal);
    private static long queued;
    private static long running;

    static ReplicationMetrics()
    {
        Meter.CreateObservableGauge("replication.rule.consecutive_failures",
            () => ConsecutiveFailures.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("rule", pair.Key))).ToList(),
            "{execution}", "Failed or partially failed executions in a row of each rule, since its last success (0 after a success).");
        Meter.CreateObservableGauge("replication.executions.queued", () => Interlocked.Read(ref queued), "{execution}", "Executions waiting to run (pending), all nodes.");
        Meter.CreateObservableGauge("replication.executions.running", () => Interlocked.Read(ref running), "{execution}", "Executions running now, all nodes.");
    }

    public async Task OnOutcomeAsync(ExecutionOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.ReplicationRules.AsNoTracking().Where(r => r.Id == outcome.RuleId).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken) ?? $"#{outcome.RuleId}";
        var status = outcome.Status.ToApi();
        Executions.Add(1, new TagList { { "rule", rule }, { "outcome", status } });
        Bytes.Add(outcome.BytesTransferred, new TagList { { "rule", rule } });
        if (outcome.Duration is { } duration)
        {
            Duration.Record(duration.TotalSeconds, new TagList { { "rule", rule }, { "outcome", status } });
        }

        if (outcome.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed)
        {
            var recent = await db.Executions.AsNoTracking()
                .Where(e => e.RuleId == outcome.RuleId && e.Id < outcome.ExecutionId
                    && (e.Status == ExecutionStatus.Succeeded || e.Status == ExecutionStatus.Failed || e.Status == ExecutionStatus.PartiallyFailed))
                .OrderByDescending(e => e.Id).Take(100).Select(e => e.Status).ToListAsync(cancellationToken);

            // This outcome, then the failures before it back to the last success.
            var streak = outcome.Status == ExecutionStatus.Succeeded ? 0 : 1 + recent.TakeWhile(st => st != ExecutionStatus.Succeeded).Count();
            ConsecutiveFailures[rule] = streak;
        }

        foreach (var cause in outcome.TaskErrors.Select(CauseOf).GroupBy(c => c))
        {
            TaskFailures.Add(cause.Count(), new TagList { { "rule", rule }, { "cause", cause.Key } });
        }
    }

    /// <summary>Reads the queue depth and running executions for the gauges.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.Executions.AsNoTracking()
            .Where(e => e.Status == ExecutionStatus.Pending || e.Status == ExecutionStatus.Running)
            .GroupBy(e => e.Status)
            .Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        Interlocked.Exchange(ref queued, counts.FirstOrDefault(c => c.Status == ExecutionStatus.Pending)?.Count ?? 0);
        Interlocked.Exchange(ref running, counts.FirstOrDefault(c => c.Status == ExecutionStatus.Running)?.Count ?? 0);
    }

    /// <summary>A task error's cause, in few enough words to be a label.</summary>
    public static string CauseOf(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var e = error.ToUpperInvariant();
        return e switch
        {
            _ when e.Contains("429", StringComparison.Ordinal) || e.Contains("TOO MANY", StringComparison.Ordinal) => "rate_limited",
            _ when e.Contains("UNAUTHORIZED", StringComparison.Ordinal) || e.Contains("DENIED", StringComparison.Ordinal) || e.Contains("CREDENTIAL", StringComparison.Ordinal) || e.Contains("401", StringComparison.Ordinal) || e.Contains("403", StringComparison.Ordinal) => "auth",
            _ when e.Contains("TIMEOUT", StringComparison.Ordinal) || e.Contains("TIMED OUT", StringComparison.Ordinal) || e.Contains("DID NOT ANSWER", StringComparison.Ordinal) => "timeout",
            _ when e.Contains("UNKNOWN", StringComparison.Ordinal) || e.Contains("NOT FOUND", StringComparison.Ordinal) || e.Contains("404", StringComparison.Ordinal) => "not_found",
            _ when e.Contains("CONNECT", StringComparison.Ordinal) || e.Contains("REFUSED", StringComparison.Ordinal) || e.Contains("UNREACHABLE", StringComparison.Ordinal) || e.Contains("RESET", StringComparison.Ordinal) || e.Contains("NETWORK", StringComparison.Ordinal) => "network",
            _ => "other",
        };
    }
}

/// <summary>Samples the gauges every few seconds.</summary>
internal sealed class ReplicationMetricsSampler(ReplicationMetrics metrics, ILogger<ReplicationMetricsSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await metrics.SampleAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogDebug(exception, "Sampling the execution gauges failed; trying again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Who may read <c>/metrics</c>.</summary>
public enum MetricsAccess
{
    /// <summary>Anonymous from the machine itself (a local Prometheus or agent); any account from elsewhere.</summary>
    Loopback,

    /// <summary>An account or API token, from anywhere.</summary>
    Authenticated,

    /// <summary>Anyone who reaches the port.</summary>
    Anonymous,
}

public sealed class MetricsOptions
{
    public const string SectionName = "Operations:Metrics";

    public MetricsAccess Access { get; set; } = MetricsAccess.Loopback;
}
