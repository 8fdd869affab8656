using Replication.Engine.Planning;

namespace Replication.Admin.Rules;

/// <summary>Outcome of create or update: the saved rule, or field errors, or "no such rule".</summary>
public sealed record RuleSaveResult(ReplicationRuleView? Rule, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false)
{
    public bool Succeeded => Rule is not null;

    public static RuleSaveResult Saved(ReplicationRuleView rule) => new(rule, new Dictionary<string, string[]>());

    public static RuleSaveResult Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);

    public static RuleSaveResult Missing() => new(null, new Dictionary<string, string[]>(), NotFound: true);
}

/// <summary>What the dialog's live preview shows: the filters' selection, or why it could not be listed.</summary>
public sealed record RulePreview(FilterPreview? Selection, string? Error)
{
    public bool Failed => Error is not null;

    public static RulePreview Of(FilterPreview selection) => new(selection, null);

    public static RulePreview Failure(string error) => new(null, error);
}

/// <summary>A dry run: the plan of a saved rule, or why it could not be made.</summary>
public sealed record DryRunResult(ReplicationPlan? Plan, string? Error, bool NotFound = false)
{
    public bool Succeeded => Plan is not null;

    public static DryRunResult Of(ReplicationPlan plan) => new(plan, null);

    public static DryRunResult Failure(string error) => new(null, error);

    public static DryRunResult Missing(int id) => new(null, $"There is no replication rule with id {id}.", NotFound: true);
}

/// <summary>Projects of a registry for the Source project autocomplete, or why they could not be listed.</summary>
public sealed record ProjectList(IReadOnlyList<string> Projects, string? Error, bool Complete = true);
