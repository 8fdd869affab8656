using Replication.Engine.Copying;
using Replication.Registry.Content;

namespace Replication.Engine.Planning;

/// <summary>Why an artifact is in a plan: an image the filter selected, or a signature/attachment following its subject.</summary>
public enum ArtifactKind
{
    /// <summary>A tag the rule's tag filter selected.</summary>
    Image,

    /// <summary>A referrer tag (<c>sha256-…</c>, <c>.sig</c>, <c>.att</c>, <c>.sbom</c>) of a selected image, copied whatever the tag filter says.</summary>
    Referrer,
}

/// <summary>One tag of the plan: where it comes from, where it goes, and what the planner found.</summary>
/// <param name="SourceRepository">Full source repository path (<c>team/app</c>).</param>
/// <param name="Tag">The tag, the same at source and destination.</param>
/// <param name="Digest">The source manifest digest (for a deletion: the digest the rule replicated).</param>
/// <param name="DestinationRepository">Full destination repository path.</param>
public sealed record PlannedArtifact(string SourceRepository, string Tag, string Digest, string DestinationRepository)
{
    /// <summary>What the destination tag points at now; null when it does not exist.</summary>
    public string? DestinationDigest { get; init; }

    /// <summary>
    /// The digest the destination gets when it differs from the source's <see cref="Digest"/>: a platform subset of a
    /// multi-platform index is a new index ("rewritten"). Null when the manifest is copied byte for byte.
    /// </summary>
    public string? RewrittenDigest { get; init; }

    /// <summary>Image or referrer.</summary>
    public ArtifactKind Kind { get; init; }

    /// <summary>In words: "new", "changed at the source", "deleted at the source", why it was skipped…</summary>
    public string Reason { get; init; } = "";

    /// <summary>
    /// Referrer tags of this artifact that the source listing showed and the tag filter did not select; the runner
    /// copies them after the artifact. Null when not listed (an event plan): the runner then probes for them.
    /// </summary>
    public IReadOnlyList<string>? ReferrerTags { get; init; }

    /// <summary>
    /// A copy of a tag the destination lacked: the source manifest the plan read to learn its digest, which the run
    /// copies instead of reading it again. Not part of what a plan shows.
    /// </summary>
    internal Manifest? SourceManifest { get; init; }

    /// <summary>A copy into a destination repository the plan found without tags (missing, or emptied).</summary>
    internal bool NewDestinationRepository { get; init; }

    /// <summary><c>repository:tag</c> at the source.</summary>
    public string SourceReference => $"{SourceRepository}:{Tag}";

    /// <summary><c>repository:tag</c> at the destination.</summary>
    public string DestinationReference => $"{DestinationRepository}:{Tag}";

    /// <inheritdoc />
    public override string ToString() => $"{SourceReference} -> {DestinationReference} ({Digest})";
}

/// <summary>
/// What a run would do, and with a dry run all that is done: tags to copy, tags already up to date, destination tags
/// to delete, and tags left alone with the reason. Lists are sorted by destination repository and tag.
/// </summary>
public sealed record ReplicationPlan
{
    /// <summary>A plan with nothing in it.</summary>
    public static ReplicationPlan Empty { get; } = new();

    /// <summary>New or changed tags (changed only when the rule overrides).</summary>
    public IReadOnlyList<PlannedArtifact> Copy { get; init; } = [];

    /// <summary>Tags whose destination digest already equals the source.</summary>
    public IReadOnlyList<PlannedArtifact> UpToDate { get; init; } = [];

    /// <summary>Destination tags this rule replicated whose source tag is gone or no longer selected by the filters.</summary>
    public IReadOnlyList<PlannedArtifact> Delete { get; init; } = [];

    /// <summary>Tags left alone, each with its <see cref="PlannedArtifact.Reason"/> (override off, changed at the destination, unsupported format).</summary>
    public IReadOnlyList<PlannedArtifact> Skipped { get; init; } = [];

    /// <summary>Copies and deletions as runnable tasks, copies first, with ids <c>copy:repo:tag</c> / <c>delete:repo:tag</c>.</summary>
    public IReadOnlyList<ReplicationTask> ToTasks() =>
        [.. Copy.Select(a => ReplicationTask.Copy(a)), .. Delete.Select(a => ReplicationTask.Delete(a))];

    /// <inheritdoc />
    public override string ToString() =>
        $"copy {Copy.Count}, up to date {UpToDate.Count}, delete {Delete.Count}, skipped {Skipped.Count}";
}

/// <summary>What the filters select, for the rule dialog's live preview.</summary>
/// <param name="RepositoryCount">Repositories with at least one selected tag.</param>
/// <param name="TagCount">Selected tags over all repositories.</param>
/// <param name="Repositories">The first repositories by name, each with its first tags.</param>
public sealed record FilterPreview(int RepositoryCount, int TagCount, IReadOnlyList<PreviewRepository> Repositories)
{
    /// <summary>Selected source repositories the naming would put under one destination name (a rule with any is refused).</summary>
    public IReadOnlyList<NamingCollision> Collisions { get; init; } = [];
}

/// <summary>One repository of a <see cref="FilterPreview"/>.</summary>
/// <param name="Repository">Full source repository path.</param>
/// <param name="TagCount">Selected tags in it.</param>
/// <param name="Tags">The first selected tags (newest first when the filter keeps only the newest, else by name).</param>
/// <param name="DestinationRepository">Where the repository lands: destination project, prefix and flattening applied.</param>
public sealed record PreviewRepository(string Repository, int TagCount, IReadOnlyList<string> Tags, string DestinationRepository = "");

/// <summary>What happened at the source, as a registry notification tells it (the web app parses the webhook).</summary>
public enum SourceChangeKind
{
    /// <summary>A manifest was pushed (with a tag, or by digest).</summary>
    Pushed,

    /// <summary>A manifest or tag was deleted.</summary>
    Deleted,
}

/// <summary>One event from the source registry, reduced to what planning needs.</summary>
/// <param name="Kind">Push or delete.</param>
/// <param name="Repository">Full source repository path.</param>
/// <param name="Tag">The tag, when the event names one.</param>
/// <param name="Digest">The manifest digest, when the event names one.</param>
public sealed record SourceChange(SourceChangeKind Kind, string Repository, string? Tag, string? Digest);
