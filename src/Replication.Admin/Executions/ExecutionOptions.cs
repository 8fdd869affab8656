namespace Replication.Admin.Executions;

/// <summary>Configuration section <c>Replication</c>: retries and history of executions.</summary>
public sealed class ExecutionOptions
{
    public const string SectionName = "Replication";

    /// <summary>Delays before the automatic retries of an execution that failed on a network problem, in order.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetryDelays { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    /// <summary>
    /// <c>Replication:RetryDelays</c>: one entry per automatic retry (<c>["00:01:00","00:05:00","00:15:00"]</c>); an empty
    /// list turns automatic retries off. Unset means <see cref="DefaultRetryDelays"/>.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary><c>Replication:HistoryRetentionDays</c>: finished executions older than this are pruned (default 30).</summary>
    public int HistoryRetentionDays { get; set; } = 30;

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays ?? DefaultRetryDelays;
}
