namespace Replication.Admin.Rules;

/// <summary>
/// What an administrator submits for a rule, from the dialog or the API (the API's "Rule" JSON shape without the id).
/// Loose on purpose (strings, nullable ids) so every mistake becomes a field error instead of a parse failure.
/// </summary>
public sealed class ReplicationRuleInput
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public int? SourceRegistryId { get; set; }

    public string? SourceProject { get; set; }

    public RepositoryFilterInput Repositories { get; set; } = new();

    public PatternFilterInput Tags { get; set; } = new();

    public int? DestinationRegistryId { get; set; }

    /// <summary>Empty means the same as the source project.</summary>
    public string? DestinationProject { get; set; }

    public TriggerInput Trigger { get; set; } = new();

    public bool Override { get; set; } = true;

    public bool IncludeReferrers { get; set; } = true;

    public bool Enabled { get; set; } = true;

    public static ReplicationRuleInput From(ReplicationRuleView rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new ReplicationRuleInput
        {
            Name = rule.Name,
            Description = rule.Description,
            SourceRegistryId = rule.SourceRegistryId,
            SourceProject = rule.SourceProject,
            Repositories = new RepositoryFilterInput { Include = [.. rule.IncludeRepositories], Exclude = [.. rule.ExcludeRepositories], Names = [.. rule.RepositoryNames] },
            Tags = new PatternFilterInput { Include = [.. rule.IncludeTags], Exclude = [.. rule.ExcludeTags] },
            DestinationRegistryId = rule.DestinationRegistryId,
            DestinationProject = rule.DestinationProject,
            Trigger = new TriggerInput
            {
                Mode = TriggerModes.ToText(rule.TriggerMode),
                Cron = rule.Cron,
                ReplicateDeletions = rule.ReplicateDeletions,
                ReplicateExisting = rule.ReplicateExisting,
            },
            Override = rule.Override,
            IncludeReferrers = rule.IncludeReferrers,
            Enabled = rule.Enabled,
        };
    }

    public ReplicationRuleInput Clone() => new()
    {
        Name = Name,
        Description = Description,
        SourceRegistryId = SourceRegistryId,
        SourceProject = SourceProject,
        Repositories = new RepositoryFilterInput
        {
            Include = [.. Repositories?.Include ?? []],
            Exclude = [.. Repositories?.Exclude ?? []],
            Names = [.. Repositories?.Names ?? []],
        },
        Tags = new PatternFilterInput { Include = [.. Tags?.Include ?? []], Exclude = [.. Tags?.Exclude ?? []] },
        DestinationRegistryId = DestinationRegistryId,
        DestinationProject = DestinationProject,
        Trigger = new TriggerInput
        {
            Mode = Trigger?.Mode,
            Cron = Trigger?.Cron,
            ReplicateDeletions = Trigger?.ReplicateDeletions ?? false,
            ReplicateExisting = Trigger?.ReplicateExisting ?? false,
        },
        Override = Override,
        IncludeReferrers = IncludeReferrers,
        Enabled = Enabled,
    };

    public override string ToString() => $"ReplicationRuleInput {{ Name = {Name}, Source = {SourceRegistryId}/{SourceProject}, Destination = {DestinationRegistryId}/{DestinationProject} }}";
}

/// <summary><c>{"include":[...],"exclude":[...]}</c>: patterns to select and to leave out.</summary>
public sealed class PatternFilterInput
{
    public List<string>? Include { get; set; } = [];

    public List<string>? Exclude { get; set; } = [];
}

/// <summary>
/// <c>{"include":[...],"exclude":[...],"names":[...]}</c>: repository patterns, and the repositories to use instead of
/// the source's catalog (missing <c>names</c> = none: list the catalog).
/// </summary>
public sealed class RepositoryFilterInput
{
    public List<string>? Include { get; set; } = [];

    public List<string>? Exclude { get; set; } = [];

    /// <summary>Repository paths relative to the source project, for registries that refuse to list their catalog.</summary>
    public List<string>? Names { get; set; } = [];
}

/// <summary><c>{"mode","cron","replicateDeletions","replicateExisting"}</c>.</summary>
public sealed class TriggerInput
{
    /// <summary><c>manual</c>, <c>immediate</c> or <c>scheduled</c>.</summary>
    public string? Mode { get; set; } = TriggerModes.Manual;

    /// <summary>Cron expression for <c>scheduled</c> (5 or 6 fields, UTC).</summary>
    public string? Cron { get; set; }

    /// <summary>Immediate and scheduled only.</summary>
    public bool ReplicateDeletions { get; set; }

    /// <summary>Immediate only.</summary>
    public bool ReplicateExisting { get; set; }
}

/// <summary>The trigger modes as the API and the database spell them.</summary>
public static class TriggerModes
{
    public const string Manual = "manual";
    public const string Immediate = "immediate";
    public const string Scheduled = "scheduled";

    public static IReadOnlyList<string> All { get; } = [Manual, Immediate, Scheduled];

    public static string ToText(TriggerMode mode) => mode switch
    {
        TriggerMode.Immediate => Immediate,
        TriggerMode.Scheduled => Scheduled,
        _ => Manual,
    };

    public static TriggerMode? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        Manual => TriggerMode.Manual,
        Immediate => TriggerMode.Immediate,
        Scheduled => TriggerMode.Scheduled,
        _ => null,
    };

    public static string DisplayName(TriggerMode mode) => mode switch
    {
        TriggerMode.Immediate => "Immediate",
        TriggerMode.Scheduled => "Scheduled",
        _ => "Manual",
    };
}
