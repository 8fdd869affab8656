using Replication.Admin.Audit;
using Replication.Admin.Rules;
using Replication.Engine.Planning;

namespace Replication.Admin.Api;

/// <summary>A rule in the API's stable JSON shape (PRODUCT.md "Rule").</summary>
public sealed record RuleResource(
    int Id,
    string Name,
    string Description,
    int SourceRegistryId,
    string SourceProject,
    RepositoriesResource Repositories,
    PatternsResource Tags,
    int DestinationRegistryId,
    string DestinationProject,
    TriggerResource Trigger,
    bool Override,
    bool IncludeReferrers,
    bool Enabled)
{
    /// <summary><c>{"flatten":"none"|"all"|1|2|3,"prefix":""}</c> (second milestone, additive).</summary>
    public DestinationNamingResource DestinationNaming { get; init; } = new("none", "");

    /// <summary>KiB/s shared by the rule's transfers; null = the global default (second milestone, additive).</summary>
    public int? BandwidthLimitKiBps { get; init; }

    /// <summary>Platforms copied of multi-platform images; empty = all (second milestone, additive).</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    public static RuleResource From(ReplicationRuleView rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new RuleResource(
            rule.Id,
            rule.Name,
            rule.Description,
            rule.SourceRegistryId,
            rule.SourceProject,
            new RepositoriesResource(rule.IncludeRepositories, rule.ExcludeRepositories, rule.RepositoryNames),
            new PatternsResource(rule.IncludeTags, rule.ExcludeTags) { Semver = rule.SemverRange, Newest = rule.NewestTags },
            rule.DestinationRegistryId,
            rule.DestinationProject,
            new TriggerResource(TriggerModes.ToText(rule.TriggerMode), rule.Cron, rule.ReplicateDeletions, rule.ReplicateExisting),
            rule.Override,
            rule.IncludeReferrers,
            rule.Enabled)
        {
            DestinationNaming = new DestinationNamingResource(
                rule.FlattenLevels is >= 1 and <= 3 ? rule.FlattenLevels : FlattenModes.ToText(rule.FlattenLevels),
                rule.DestinationPrefix),
            BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
            Platforms = rule.Platforms,
        };
    }
}

/// <summary><c>{"flatten":"none"|"all"|1|2|3,"prefix":""}</c>: levels are numbers, "none" and "all" strings, as the contract spells them.</summary>
public sealed record DestinationNamingResource(object Flatten, string Prefix);

/// <summary>The rule's tags: <c>{"include":[...],"exclude":[...],"semver":null,"newest":null}</c>.</summary>
public sealed record PatternsResource(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    /// <summary>Semantic-version range, or null (second milestone, additive).</summary>
    public string? Semver { get; init; }

    /// <summary>Newest tags kept per repository, or null for all (second milestone, additive).</summary>
    public int? Newest { get; init; }
}

/// <summary><c>{"include":[...],"exclude":[...],"names":[...]}</c>: names replace the catalog when not empty.</summary>
public sealed record RepositoriesResource(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude, IReadOnlyList<string> Names);

/// <summary><c>{"mode","cron","replicateDeletions","replicateExisting"}</c>.</summary>
public sealed record TriggerResource(string Mode, string? Cron, bool ReplicateDeletions, bool ReplicateExisting);

/// <summary>
/// A dry run's plan (PRODUCT.md "Plan"): copies, up-to-date and skipped tags name the source repository, deletions the
/// destination one. Skipped: what the run leaves alone, and why (as the dialog's Skipped tab shows it).
/// </summary>
public sealed record PlanResource(
    IReadOnlyList<PlanItemResource> Copy,
    IReadOnlyList<PlanItemResource> UpToDate,
    IReadOnlyList<PlanItemResource> Delete,
    IReadOnlyList<SkippedItemResource> Skipped)
{
    public static PlanResource From(ReplicationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new PlanResource(
            plan.Copy.Select(PlanItemResource.Of).ToList(),
            plan.UpToDate.Select(PlanItemResource.Of).ToList(),
            plan.Delete.Select(a => new PlanItemResource(a.DestinationRepository, a.Tag, a.Digest) { DestinationDigest = a.Digest }).ToList(),
            plan.Skipped.Select(a => new SkippedItemResource(a.SourceRepository, a.Tag, a.Digest, a.Reason)).ToList());
    }
}

/// <summary>
/// <c>{"repository","tag","digest"}</c>, plus (additive) <c>"rewritten"</c> and <c>"destinationDigest"</c>: a platform subset
/// of a multi-platform index lands as a new index with another digest.
/// </summary>
public sealed record PlanItemResource(string Repository, string Tag, string Digest)
{
    /// <summary>True when the destination gets a new index (a platform subset), not the source's bytes.</summary>
    public bool Rewritten { get; init; }

    /// <summary>The digest the destination gets: <see cref="Digest"/>, or the rewritten index's.</summary>
    public string DestinationDigest { get; init; } = "";

    public static PlanItemResource Of(PlannedArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new PlanItemResource(artifact.SourceRepository, artifact.Tag, artifact.Digest)
        {
            Rewritten = artifact.RewrittenDigest is not null,
            DestinationDigest = artifact.RewrittenDigest ?? artifact.Digest,
        };
    }
}

/// <summary><c>{"repository","tag","digest","reason"}</c>: a tag the plan leaves alone.</summary>
public sealed record SkippedItemResource(string Repository, string Tag, string Digest, string Reason);

/// <summary>One audit entry: who did what to what, when, and what changed.</summary>
public sealed record AuditEntryResource(long Id, DateTime At, string Who, string Action, string Target, string Details)
{
    public static AuditEntryResource From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditEntryResource(entry.Id, entry.At.UtcDateTime, entry.Who, entry.Action, entry.Target, entry.Details);
    }
}

/// <summary>One page of the audit log, newest first.</summary>
public sealed record AuditPageResource(IReadOnlyList<AuditEntryResource> Items, int Total, int Page, int PageSize);
