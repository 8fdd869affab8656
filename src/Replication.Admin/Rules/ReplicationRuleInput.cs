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

    /// <summary><c>{"flatten":"none"|"all"|1|2|3,"prefix":""}</c>; missing = keep the full path, no prefix.</summary>
    public DestinationNamingInput DestinationNaming { get; set; } = new();

    public TriggerInput Trigger { get; set; } = new();

    /// <summary>Platforms of multi-platform images to copy (<c>linux/amd64</c>); missing or empty = all.</summary>
    public List<string>? Platforms { get; set; } = [];

    /// <summary>KiB/s shared by all of the rule's transfers; null = the global default (unlimited unless configured).</summary>
    public int? BandwidthLimitKiBps { get; set; }

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
            Tags = new PatternFilterInput { Include = [.. rule.IncludeTags], Exclude = [.. rule.ExcludeTags], Semver = rule.SemverRange, Newest = rule.NewestTags },
            DestinationRegistryId = rule.DestinationRegistryId,
            DestinationProject = rule.DestinationProject,
            DestinationNaming = new DestinationNamingInput { Flatten = FlattenModes.ToText(rule.FlattenLevels), Prefix = rule.DestinationPrefix },
            Trigger = new TriggerInput
            {
                Mode = TriggerModes.ToText(rule.TriggerMode),
                Cron = rule.Cron,
                ReplicateDeletions = rule.ReplicateDeletions,
                ReplicateExisting = rule.ReplicateExisting,
            },
            BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
            Platforms = [.. rule.Platforms],
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
        Tags = new PatternFilterInput { Include = [.. Tags?.Include ?? []], Exclude = [.. Tags?.Exclude ?? []], Semver = Tags?.Semver, Newest = Tags?.Newest },
        DestinationRegistryId = DestinationRegistryId,
        DestinationProject = DestinationProject,
        DestinationNaming = new DestinationNamingInput { Flatten = DestinationNaming?.Flatten, Prefix = DestinationNaming?.Prefix },
        Trigger = new TriggerInput
        {
            Mode = Trigger?.Mode,
            Cron = Trigger?.Cron,
            ReplicateDeletions = Trigger?.ReplicateDeletions ?? false,
            ReplicateExisting = Trigger?.ReplicateExisting ?? false,
        },
        BandwidthLimitKiBps = BandwidthLimitKiBps,
        Platforms = [.. Platforms ?? []],
        Override = Override,
        IncludeReferrers = IncludeReferrers,
        Enabled = Enabled,
    };

    public override string ToString() => $"ReplicationRuleInput {{ Name = {Name}, Source = {SourceRegistryId}/{SourceProject}, Destination = {DestinationRegistryId}/{DestinationProject} }}";
}

/// <summary><c>{"include":[...],"exclude":[...],"semver":null,"newest":null}</c>: tag patterns to select and to leave out, and version selection.</summary>
public sealed class PatternFilterInput
{
    public List<string>? Include { get; set; } = [];

    public List<string>? Exclude { get; set; } = [];

    /// <summary>Semantic-version range (<c>&gt;=1.2 &lt;2</c>); null or blank = no range.</summary>
    public string? Semver { get; set; }

    /// <summary>Keep only this many newest tags per repository; null = all.</summary>
    public int? Newest { get; set; }
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

/// <summary><c>{"flatten":"none"|"all"|1|2|3,"prefix":""}</c>: how source repository paths are named at the destination.</summary>
public sealed class DestinationNamingInput
{
    /// <summary><c>none</c> (keep the full path), <c>1</c>, <c>2</c>, <c>3</c> (levels dropped) or <c>all</c>; JSON may send a number.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(StringOrNumberConverter))]
    public string? Flatten { get; set; } = FlattenModes.None;

    /// <summary>Repository path put before the rest at the destination (<c>mirror</c>); empty for none.</summary>
    public string? Prefix { get; set; } = "";
}

/// <summary>The flatten values as the API spells them.</summary>
public static class FlattenModes
{
    public const string None = "none";
    public const string All = "all";

    public static IReadOnlyList<string> Choices { get; } = [None, "1", "2", "3", All];

    public static string ToText(int levels) => levels switch
    {
        0 => None,
        Replication.Engine.DestinationNaming.FlattenAll => All,
        _ => levels.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Levels for a flatten value; null when it is none of the choices. Missing or empty means none.</summary>
    public static int? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or None => 0,
        All => Replication.Engine.DestinationNaming.FlattenAll,
        "1" => 1,
        "2" => 2,
        "3" => 3,
        _ => null,
    };

    public static string DisplayName(string? text) => Parse(text) switch
    {
        0 => "Keep the full path",
        Replication.Engine.DestinationNaming.FlattenAll => "Flatten all levels",
        1 => "Flatten 1 level",
        { } levels => $"Flatten {levels} levels",
        _ => text ?? "",
    };
}

/// <summary>Reads a JSON number or string as text, so <c>"flatten": 1</c> and <c>"flatten": "1"</c> are the same; writes text.</summary>
public sealed class StringOrNumberConverter : System.Text.Json.Serialization.JsonConverter<string?>
{
    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) => reader.TokenType switch
    {
        System.Text.Json.JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        System.Text.Json.JsonTokenType.Null => null,
        System.Text.Json.JsonTokenType.String => reader.GetString(),
        _ => throw new System.Text.Json.JsonException("Expected a string or a number."),
    };

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string? value, System.Text.Json.JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary><c>{"mode","cron","replicateDeletions","replicateExisting"}</c>.</summary>
public sealed class TriggerInput
{
    /// <summary><c>manual</c>, <c>immediate</c> or <c>scheduled</c>.</summary>
    public string? Mode { get; set; } = TriggerModes.Manual;

    /// <summary>Cron expression for <c>scheduled</c> (5 or 6 fields, UTC).</summary>
    public string? Cron { get; set; }

    /// <summary>Mirror mode, for every trigger mode: delete what the rule replicated once the source no longer has or selects it.</summary>
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
