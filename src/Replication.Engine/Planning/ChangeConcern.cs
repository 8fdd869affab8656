namespace Replication.Engine.Planning;

/// <summary>What a source change would make a rule do at its destination.</summary>
public enum ChangeEffect
{
    /// <summary>Not the rule's business: outside its project or filter, a push by digest only, or a deletion the rule does not replicate.</summary>
    None,

    /// <summary>Copy the pushed tag to <see cref="ChangeConcern.DestinationRepository"/>.</summary>
    Copy,

    /// <summary>Delete what the rule recorded under the destination tag (or digest); nothing when it recorded nothing there.</summary>
    Delete,
}

/// <summary>
/// The answer of <see cref="ReplicationPlanner.Concerns"/>: whether a source change concerns a rule and what at the
/// destination it would touch, decided from the rule's projects, filter and options alone (no registry, no storage).
/// </summary>
public sealed record ChangeConcern
{
    /// <summary>The change does not concern the rule.</summary>
    public static ChangeConcern None { get; } = new();

    /// <summary>Copy, delete, or nothing.</summary>
    public ChangeEffect Effect { get; init; }

    /// <summary>Full destination repository path the change maps to (<c>mirror/sub/app</c>); empty for <see cref="ChangeEffect.None"/>.</summary>
    public string DestinationRepository { get; init; } = "";

    /// <summary>The tag to copy, or the tag whose recorded copy to delete; null for a deletion by digest.</summary>
    public string? Tag { get; init; }

    /// <summary>For a deletion by digest (no tag): the manifest digest whose recorded tags in <see cref="DestinationRepository"/> it deletes.</summary>
    public string? Digest { get; init; }

    /// <summary>For a copy: a tag the filter selects (<see cref="ArtifactKind.Image"/>), or a signature or attachment following its subject.</summary>
    public ArtifactKind Kind { get; init; }

    /// <summary>For a referrer: the digest it is attached to. The plan copies it only while the subject is at the destination.</summary>
    public string? Subject { get; init; }

    /// <summary>
    /// For a deletion: the artifacts of the scope's <see cref="ReplicationScope.Replicated"/> it names. Empty when the scope
    /// came without the record; a caller that keeps the record elsewhere looks up <see cref="DestinationRepository"/> with
    /// <see cref="Tag"/> (or <see cref="Digest"/>) itself, as <see cref="Names"/> does.
    /// </summary>
    public IReadOnlyList<ReplicatedArtifact> Recorded { get; init; } = [];

    /// <summary>
    /// The full answer from the scope: a copy, or a deletion of something in the scope's record. For a deletion this
    /// is only as complete as <see cref="ReplicationScope.Replicated"/>; without the record read <see cref="Effect"/>.
    /// </summary>
    public bool IsConcerned => Effect == ChangeEffect.Copy || (Effect == ChangeEffect.Delete && Recorded.Count > 0);

    /// <summary>Whether a recorded artifact is one this deletion removes: same destination repository, and the same tag (or, by digest, the same digest).</summary>
    public bool Names(ReplicatedArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return Effect == ChangeEffect.Delete
            && artifact.Repository == DestinationRepository
            && (Tag is not null ? artifact.Tag == Tag : artifact.Digest == Digest || artifact.SourceDigest == Digest);
    }

    /// <inheritdoc />
    public override string ToString() => Effect switch
    {
        ChangeEffect.Copy when Kind == ArtifactKind.Referrer => $"copy {DestinationRepository}:{Tag} (attached to {Subject})",
        ChangeEffect.Copy => $"copy {DestinationRepository}:{Tag}",
        ChangeEffect.Delete => $"delete {DestinationRepository}{(Tag is not null ? ":" + Tag : "@" + Digest)} if recorded ({Recorded.Count} in the scope's record)",
        _ => "not concerned",
    };
}
