namespace Replication.Admin.Rules;

/// <summary>A rule as pages and the API see it, with the names of its registries.</summary>
public sealed record ReplicationRuleView(
    int Id,
    string Name,
    string Description,
    int SourceRegistryId,
    string SourceRegistryName,
    string SourceProject,
    IReadOnlyList<string> IncludeRepositories,
    IReadOnlyList<string> ExcludeRepositories,
    IReadOnlyList<string> RepositoryNames,
    IReadOnlyList<string> IncludeTags,
    IReadOnlyList<string> ExcludeTags,
    int DestinationRegistryId,
    string DestinationRegistryName,
    string DestinationProject,
    TriggerMode TriggerMode,
    string? Cron,
    bool ReplicateDeletions,
    bool ReplicateExisting,
    bool Override,
    bool IncludeReferrers,
    bool Enabled,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    string UpdatedBy)
{
    /// <summary>Semantic-version range the tags must be in; null for none.</summary>
    public string? SemverRange { get; init; }

    /// <summary>Only this many newest selected tags per repository; null for all.</summary>
    public int? NewestTags { get; init; }

    /// <summary>Platforms copied of multi-platform images; empty = all.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>KiB/s for all of the rule's transfers together; null = the global default.</summary>
    public int? BandwidthLimitKiBps { get; init; }

    /// <summary>Leading path levels dropped at the destination (0 = keep the full path).</summary>
    public int FlattenLevels { get; init; }

    /// <summary>Repository path put before the (flattened) path at the destination; empty for none.</summary>
    public string DestinationPrefix { get; init; } = "";

    /// <summary>The project images land in: the destination project, or the source project when empty.</summary>
    public string EffectiveDestinationProject => string.IsNullOrEmpty(DestinationProject) ? SourceProject : DestinationProject;

    /// <summary>The next scheduled run after <paramref name="now"/>; null unless the rule is scheduled and enabled.</summary>
    public DateTimeOffset? NextRun(DateTimeOffset now)
    {
        if (!Enabled || TriggerMode != TriggerMode.Scheduled || !CronSchedule.TryParse(Cron, out var schedule, out _))
        {
            return null;
        }

        var runs = schedule!.NextRuns(now, 1);
        return runs.Count > 0 ? runs[0] : null;
    }

    /// <summary>The rule loaded with both registries (see <see cref="ReplicationRuleStore.LoadAsync"/>).</summary>
    public static ReplicationRuleView From(ReplicationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new ReplicationRuleView(
            rule.Id,
            rule.Name,
            rule.Description,
            rule.SourceRegistryId,
            rule.SourceRegistry?.Name ?? $"registry {rule.SourceRegistryId}",
            rule.SourceProject,
            [.. rule.IncludeRepositories],
            [.. rule.ExcludeRepositories],
            [.. rule.RepositoryNames],
            [.. rule.IncludeTags],
            [.. rule.ExcludeTags],
            rule.DestinationRegistryId,
            rule.DestinationRegistry?.Name ?? $"registry {rule.DestinationRegistryId}",
            rule.DestinationProject,
            rule.TriggerMode,
            rule.Cron,
            rule.ReplicateDeletions,
            rule.ReplicateExisting,
            rule.Override,
            rule.IncludeReferrers,
            rule.Enabled,
            rule.CreatedAt,
            rule.CreatedBy,
            rule.UpdatedAt,
            rule.UpdatedBy)
        {
            SemverRange = rule.SemverRange,
            NewestTags = rule.NewestTags,
            BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
            Platforms = [.. rule.Platforms],
            FlattenLevels = rule.FlattenLevels,
            DestinationPrefix = rule.DestinationPrefix,
        };
    }
}
