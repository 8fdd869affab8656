using Replication.Engine.Filters;

namespace Replication.Admin.Rules;

/// <summary>The rule dialog's filter fields as typed: comma-separated lists, parsed only when the rule is read from the form.</summary>
public sealed class RuleFilterTexts
{
    public string? IncludeRepositories { get; set; }

    public string? ExcludeRepositories { get; set; }

    public string? RepositoryNames { get; set; }

    public string? IncludeTags { get; set; }

    public string? ExcludeTags { get; set; }

    public static RuleFilterTexts From(ReplicationRuleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RuleFilterTexts
        {
            IncludeRepositories = PatternList.Format(input.Repositories.Include),
            ExcludeRepositories = PatternList.Format(input.Repositories.Exclude),
            RepositoryNames = PatternList.Format(input.Repositories.Names),
            IncludeTags = PatternList.Format(input.Tags.Include),
            ExcludeTags = PatternList.Format(input.Tags.Exclude),
        };
    }

    /// <summary>A copy of <paramref name="input"/> with these lists parsed into its filters.</summary>
    public ReplicationRuleInput ApplyTo(ReplicationRuleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var copy = input.Clone();
        copy.Repositories = new RepositoryFilterInput
        {
            Include = PatternList.Parse(IncludeRepositories),
            Exclude = PatternList.Parse(ExcludeRepositories),
            Names = PatternList.Parse(RepositoryNames),
        };
        copy.Tags = new PatternFilterInput
        {
            Include = PatternList.Parse(IncludeTags),
            Exclude = PatternList.Parse(ExcludeTags),
            Semver = input.Tags.Semver,
            Newest = input.Tags.Newest,
        };
        return copy;
    }
}
