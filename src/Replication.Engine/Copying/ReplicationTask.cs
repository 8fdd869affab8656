using Replication.Engine.Planning;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>What a task does at the destination.</summary>
public enum TaskOperation
{
    /// <summary>Copy a source tag (manifest, blobs, referrers) to the destination.</summary>
    Copy,

    /// <summary>Delete a destination tag the rule replicated, if it still holds the recorded digest.</summary>
    Delete,
}

/// <summary>
/// One unit of a run: one tag to copy or delete. Everything in it can be persisted and rebuilt, so a retry run can be
/// given exactly the tasks that failed.
/// </summary>
public sealed record ReplicationTask
{
    /// <summary>The caller's identity for the task (a database id, say); every event about the task carries it.</summary>
    public required string Id { get; init; }

    /// <summary>Copy or delete.</summary>
    public required TaskOperation Operation { get; init; }

    /// <summary>Full source repository path.</summary>
    public required string SourceRepository { get; init; }

    /// <summary>Full destination repository path.</summary>
    public required string DestinationRepository { get; init; }

    /// <summary>The tag, the same at source and destination.</summary>
    public required string Tag { get; init; }

    /// <summary>
    /// Copy: the source digest the plan saw (informational; the runner copies the manifest the plan read when it read
    /// one, else what the tag points at when it runs).
    /// Delete: the digest this rule replicated, required; the destination tag is removed only while it still points there.
    /// </summary>
    public string? Digest { get; init; }

    /// <summary>Image or referrer (as planned).</summary>
    public ArtifactKind Kind { get; init; }

    /// <summary>Known referrer tags at the source (from the plan's listing); null makes the runner look for them.</summary>
    public IReadOnlyList<string>? ReferrerTags { get; init; }

    /// <summary>
    /// Copy: what the plan found at the destination tag when it decided to copy. With it, and override on, the first
    /// run of the task need not HEAD the tag a second time; null (a task rebuilt from storage that did not keep it)
    /// makes the runner HEAD the tag before copying. Keep it only for the run that follows the plan.
    /// </summary>
    public DestinationTagState? PlannedDestination { get; init; }

    /// <summary>
    /// Copy: the source manifest the plan read (the tag was new at the destination). The first attempt copies it
    /// instead of reading the tag again; a retry, or a task rebuilt from storage, reads the tag.
    /// </summary>
    internal PlannedSourceManifest? PlannedSource { get; init; }

    /// <summary>
    /// Copy: the plan found the destination repository without tags. Nothing of this image can be there but what an
    /// interrupted run left, so small blobs go up without a HEAD first (<see cref="BlobCopier"/>).
    /// </summary>
    internal bool NewDestinationRepository { get; init; }

    /// <summary><c>repository:tag</c> at the source.</summary>
    public string SourceReference => $"{SourceRepository}:{Tag}";

    /// <summary><c>repository:tag</c> at the destination.</summary>
    public string DestinationReference => $"{DestinationRepository}:{Tag}";

    /// <summary>A copy task for a planned artifact; the id defaults to <c>copy:{destination repository}:{tag}</c>.</summary>
    public static ReplicationTask Copy(PlannedArtifact artifact, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new ReplicationTask
        {
            Id = id ?? $"copy:{artifact.DestinationReference}",
            Operation = TaskOperation.Copy,
            SourceRepository = artifact.SourceRepository,
            DestinationRepository = artifact.DestinationRepository,
            Tag = artifact.Tag,
            Digest = artifact.Digest,
            Kind = artifact.Kind,
            ReferrerTags = artifact.ReferrerTags,
            PlannedDestination = new DestinationTagState(artifact.DestinationDigest),
            PlannedSource = artifact.SourceManifest is { } manifest ? new PlannedSourceManifest(manifest) : null,
            NewDestinationRepository = artifact.NewDestinationRepository,
        };
    }

    /// <summary>A delete task for a planned deletion; the id defaults to <c>delete:{destination repository}:{tag}</c>.</summary>
    public static ReplicationTask Delete(PlannedArtifact artifact, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new ReplicationTask
        {
            Id = id ?? $"delete:{artifact.DestinationReference}",
            Operation = TaskOperation.Delete,
            SourceRepository = artifact.SourceRepository,
            DestinationRepository = artifact.DestinationRepository,
            Tag = artifact.Tag,
            Digest = artifact.Digest,
            Kind = artifact.Kind,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Operation == TaskOperation.Copy
        ? $"{Id}: copy {SourceReference} -> {DestinationReference}"
        : $"{Id}: delete {DestinationReference}@{Digest}";
}

/// <summary>
/// What a destination tag held when the plan looked at it. A plan's look is good for one run: the first copy attempt
/// that relies on it takes it, so a retry, or the same tasks run again (after a crash, say), look at the tag afresh.
/// </summary>
public sealed class DestinationTagState
{
    private int _taken;

    /// <param name="digest">The manifest digest the tag pointed at; null when the tag did not exist.</param>
    public DestinationTagState(string? digest) => Digest = digest;

    /// <summary>The manifest digest the tag pointed at; null when the tag did not exist.</summary>
    public string? Digest { get; }

    /// <summary>Whether the tag existed.</summary>
    public bool Exists => Digest is not null;

    /// <inheritdoc />
    public override string ToString() => Digest ?? "absent";

    /// <summary>True the first time only: the caller may stand on this look instead of looking again.</summary>
    internal bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
}

/// <summary>The source manifest a plan read for a copy, handed to the first attempt only (and then not held).</summary>
internal sealed class PlannedSourceManifest(Manifest manifest)
{
    private Manifest? _manifest = manifest;

    /// <summary>The manifest the first time; null after.</summary>
    public Manifest? Take() => Interlocked.Exchange(ref _manifest, null);
}
