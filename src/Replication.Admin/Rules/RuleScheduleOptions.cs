namespace Replication.Admin.Rules;

/// <summary><c>Replication:Rules</c>: limits on what a rule may ask for.</summary>
public sealed class RuleScheduleOptions
{
    public const string SectionName = "Replication:Rules";

    /// <summary>
    /// The shortest time a scheduled rule may leave between two runs (default one minute): a cron that runs more often
    /// is refused when the rule is saved, in the dialog and the API alike.
    /// </summary>
    public TimeSpan MinimumScheduleInterval { get; set; } = CronSchedule.DefaultMinimumInterval;
}
