namespace Replication.Admin.Executions;

/// <summary>
/// A destination tag a rule pushed, with the digest it pushed: the rule's record, and the only thing the rule's
/// deletions may ever remove. A newer push of the same tag replaces the digest.
/// </summary>
public sealed class ReplicatedArtifact
{
    public long Id { get; set; }

    public int RuleId { get; set; }

    /// <summary>Full destination repository path.</summary>
    public required string Repository { get; set; }

    public required string Tag { get; set; }

    public required string Digest { get; set; }

    /// <summary>The source's digest when the rule pushed another one (a platform subset of an index); else null.</summary>
    public string? SourceDigest { get; set; }

    public DateTimeOffset ReplicatedAt { get; set; }

    /// <summary>The execution that pushed it last.</summary>
    public long? ExecutionId { get; set; }

    public Replication.Engine.ReplicatedArtifact ToEngine() => new(Repository, Tag, Digest) { SourceDigest = SourceDigest };

    public override string ToString() => $"{Repository}:{Tag}@{Digest}";
}
