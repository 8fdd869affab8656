using Replication.Admin.Registries;

namespace Replication.Admin.Rules;

/// <summary>
/// A replication rule: which images of a source registry's project are copied to which destination, when, and how
/// the destination's existing tags are treated. One-way; two rules make two-way replication.
/// </summary>
public sealed class ReplicationRule
{
    public int Id { get; set; }

    /// <summary>Unique (case-insensitive).</summary>
    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public int SourceRegistryId { get; set; }

    public RegistryEndpoint? SourceRegistry { get; set; }

    /// <summary>The first path segment of the repositories to replicate (<c>team</c>); empty means the whole registry.</summary>
    public string SourceProject { get; set; } = "";

    /// <summary>Repository patterns relative to the project (<c>app*</c>, <c>tools/**</c>); empty means every repository.</summary>
    public List<string> IncludeRepositories { get; set; } = [];

    public List<string> ExcludeRepositories { get; set; } = [];

    /// <summary>
    /// Repository paths relative to the project (<c>app</c>, <c>tools/cli</c>) listed instead of the source's catalog,
    /// for registries that refuse to list it (Docker Hub); empty means list the catalog. The patterns still apply.
    /// </summary>
    public List<string> RepositoryNames { get; set; } = [];

    /// <summary>Tag patterns (<c>v*</c>); empty means every tag.</summary>
    public List<string> IncludeTags { get; set; } = [];

    public List<string> ExcludeTags { get; set; } = [];

    /// <summary>Semantic-version range in npm syntax (<c>&gt;=1.2 &lt;2</c>); only version tags inside it are selected. Null = no range.</summary>
    public string? SemverRange { get; set; }

    /// <summary>Keep only this many of the selected tags per repository, newest first (by version, else by creation time). Null = all.</summary>
    public int? NewestTags { get; set; }

    public int DestinationRegistryId { get; set; }

    public RegistryEndpoint? DestinationRegistry { get; set; }

    /// <summary>Empty means the same name as <see cref="SourceProject"/>.</summary>
    public string DestinationProject { get; set; } = "";

    /// <summary>Leading path levels dropped at the destination: 0 keeps the full path, 1–3, or <see cref="Replication.Engine.DestinationNaming.FlattenAll"/>.</summary>
    public int FlattenLevels { get; set; }

    /// <summary>Repository path put between the destination project and the (flattened) path; empty for none.</summary>
    public string DestinationPrefix { get; set; } = "";

    public TriggerMode TriggerMode { get; set; } = TriggerMode.Manual;

    /// <summary>Cron expression (5 or 6 fields, UTC) when <see cref="TriggerMode"/> is <see cref="TriggerMode.Scheduled"/>; null otherwise.</summary>
    public string? Cron { get; set; }

    /// <summary>
    /// Mirror mode, any trigger: delete at the destination a tag this rule replicated whose source tag is gone or no longer
    /// selected by the filters; never anything the rule did not replicate.
    /// </summary>
    public bool ReplicateDeletions { get; set; }

    /// <summary>Copy the images that already exist when the rule is enabled (Immediate).</summary>
    public bool ReplicateExisting { get; set; }

    /// <summary>Platforms copied of multi-platform images (<c>linux/amd64</c>); empty = all. A subset writes a new index (another digest).</summary>
    public List<string> Platforms { get; set; } = [];

    /// <summary>KiB/s shared by all of this rule's parallel transfers; null = the global default (<c>Replication:Engine:BandwidthLimitKiBps</c>, unlimited unless set).</summary>
    public int? BandwidthLimitKiBps { get; set; }

    /// <summary>Replace a destination tag that points at another digest.</summary>
    public bool Override { get; set; } = true;

    /// <summary>Copy signatures and attachments (referrers) along with their images.</summary>
    public bool IncludeReferrers { get; set; } = true;

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    /// <summary>The project images land in: <see cref="DestinationProject"/>, or the source project when empty.</summary>
    public string EffectiveDestinationProject => string.IsNullOrEmpty(DestinationProject) ? SourceProject : DestinationProject;

    public override string ToString() => $"ReplicationRule {{ Id = {Id}, Name = {Name} }}";
}

/// <summary>When a rule runs.</summary>
public enum TriggerMode
{
    /// <summary>Only when somebody clicks Replicate (or calls the API).</summary>
    Manual,

    /// <summary>When the source registry notifies a push or a deletion.</summary>
    Immediate,

    /// <summary>On the rule's cron schedule.</summary>
    Scheduled,
}
