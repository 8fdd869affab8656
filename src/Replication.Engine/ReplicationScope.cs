using Replication.Engine.Filters;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine;

/// <summary>What kind of registry the destination is: decides whether projects must be created before pushing.</summary>
public enum RegistryKind
{
    /// <summary>Any OCI distribution registry (<c>docker-registry</c>): projects exist implicitly.</summary>
    DockerRegistry,

    /// <summary>Harbor: a missing project is created through <c>/api/v2.0/projects</c> before pushing.</summary>
    Harbor,
}

/// <summary>A destination tag this rule once pushed, as the caller recorded it; the only thing deletions may remove.</summary>
/// <param name="Repository">Full destination repository path (<c>mirror/team/app</c>).</param>
/// <param name="Tag">The destination tag.</param>
/// <param name="Digest">The manifest digest the rule pushed under that tag.</param>
public sealed record ReplicatedArtifact(string Repository, string Tag, string Digest)
{
    /// <summary>The source's digest when it differs from <see cref="Digest"/> (a platform subset of an index); else null.</summary>
    public string? SourceDigest { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Repository}:{Tag}@{Digest}";
}

/// <summary>
/// One replication rule's meaning, free of storage: where from, where to, what to select and how to treat what is
/// already there. The planner and the runner take it; the web app builds it from a saved rule.
/// </summary>
public sealed record ReplicationScope
{
    /// <summary>The registry images are read from.</summary>
    public required RegistryEndpoint Source { get; init; }

    /// <summary>
    /// The source project: the first path segment of the repositories to consider (<c>team</c>). Empty means the
    /// whole registry, with repository patterns matching full paths.
    /// </summary>
    public string SourceProject { get; init; } = "";

    /// <summary>The registry images are written to.</summary>
    public required RegistryEndpoint Destination { get; init; }

    /// <summary>
    /// The destination project; null or empty means the same as <see cref="SourceProject"/>. A source repository
    /// <c>team/sub/app</c> goes to <c>{DestinationProject}/sub/app</c>.
    /// </summary>
    public string? DestinationProject { get; init; }

    /// <summary>How source repository paths are named at the destination (flattening and prefix); the full path by default.</summary>
    public DestinationNaming Naming { get; init; } = DestinationNaming.KeepPath;

    /// <summary>Whether the destination needs its projects created (Harbor) or not.</summary>
    public RegistryKind DestinationKind { get; init; } = RegistryKind.DockerRegistry;

    /// <summary>
    /// Bandwidth limit in KiB/s shared by all of this rule's parallel blob transfers; null uses
    /// <see cref="ReplicationOptions.BandwidthLimitKiBps"/>, zero means unlimited whatever the default says.
    /// </summary>
    public int? BandwidthLimitKiBps { get; init; }

    /// <summary>
    /// Platforms to copy of multi-platform images (<c>linux/amd64</c>; no variant = every variant); empty = all. A subset
    /// writes a new index with only those platforms, so the destination digest differs from the source's.
    /// </summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>Which repositories and tags are selected.</summary>
    public ImageFilter Filter { get; init; } = ImageFilter.Everything;

    /// <summary>
    /// Replace a destination tag that points at another digest. When off such a tag is left alone and reported as
    /// skipped.
    /// </summary>
    public bool Override { get; init; } = true;

    /// <summary>Copy each copied manifest's signatures and attachments (referrers API, tag fallback and cosign tags), whatever the tag filter says.</summary>
    public bool IncludeReferrers { get; init; } = true;

    /// <summary>Delete at the destination what this rule replicated and the source no longer has.</summary>
    public bool ReplicateDeletions { get; init; }

    /// <summary>
    /// What this rule pushed earlier (the caller persists it from <see cref="Copying.TaskResult.Replicated"/>).
    /// Deletions never touch anything outside this set, and only while the destination still holds the recorded digest.
    /// </summary>
    public IReadOnlyCollection<ReplicatedArtifact> Replicated { get; init; } = [];

    /// <summary>The destination project actually used: <see cref="DestinationProject"/>, or the source project when empty.</summary>
    public string EffectiveDestinationProject => string.IsNullOrEmpty(DestinationProject) ? SourceProject : DestinationProject;

    /// <summary>Problems that make the scope unusable (invalid filter, a project name that is not a path segment, copying onto itself).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = Filter.Validate().Select(p => p.ToString()).ToList();
        problems.AddRange(Naming.Validate());
        problems.AddRange(Copying.PlatformSubset.Validate(Platforms));
        if (BandwidthLimitKiBps is < 0)
        {
            problems.Add($"Bandwidth limit {BandwidthLimitKiBps} KiB/s is negative; leave it empty for unlimited.");
        }
        foreach (var (label, project) in new[] { ("Source project", SourceProject), ("Destination project", DestinationProject ?? "") })
        {
            if (project.Length > 0 && !References.IsPathComponent(project))
            {
                problems.Add($"{label} '{project}' is not a project name (one path segment of lowercase letters, digits, '.', '_', '-').");
            }
        }

        if (Source.BaseUrl == Destination.BaseUrl && SourceProject == EffectiveDestinationProject && Naming == DestinationNaming.KeepPath)
        {
            problems.Add("Source and destination are the same registry and project; a rule would copy images onto themselves.");
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when <see cref="Validate"/> finds any.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The replication scope is not valid: " + string.Join("; ", problems));
        }
    }

    internal RepositoryMapping Mapping => new(SourceProject, EffectiveDestinationProject, Naming);
}
