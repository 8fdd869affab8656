namespace Replication.Admin.Jobs;

/// <summary>Configuration section <c>Replication:Jobs</c>: the background job server and progress pacing.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Replication:Jobs";

    /// <summary>How often idle workers look for a new job: a manual run starts within this delay.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often delayed jobs (scheduled retries) and recurring jobs are checked.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Jobs running at once (executions of different rules, schedules, pruning).</summary>
    public int WorkerCount { get; set; } = 10;

    /// <summary>How often a running execution's progress is saved to the database.</summary>
    public TimeSpan ProgressSaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often live progress is published to open pages.</summary>
    public TimeSpan ProgressPublishInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cron (UTC) of the job that prunes old executions.</summary>
    public string RetentionCron { get; set; } = "17 3 * * *";
}
