namespace Replication.Engine.Filters;

/// <summary>The list of an <see cref="ImageFilter"/> a problem was found in (the web app maps it to a form field).</summary>
public enum FilterField
{
    /// <summary><see cref="ImageFilter.IncludeRepositories"/>.</summary>
    IncludeRepositories,

    /// <summary><see cref="ImageFilter.ExcludeRepositories"/>.</summary>
    ExcludeRepositories,

    /// <summary><see cref="ImageFilter.IncludeTags"/>.</summary>
    IncludeTags,

    /// <summary><see cref="ImageFilter.ExcludeTags"/>.</summary>
    ExcludeTags,

    /// <summary><see cref="ImageFilter.ExplicitRepositories"/>.</summary>
    ExplicitRepositories,
}

/// <summary>One unusable entry of a filter: which list, which entry, and what is wrong with it.</summary>
public sealed record FilterProblem(FilterField Field, int Index, string Pattern, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}[{Index}] '{Pattern}': {Message}";
}

/// <summary>
/// Which images of a project a rule selects. Repository patterns match the path relative to the project
/// (<c>team/sub/app</c> in project <c>team</c> is <c>sub/app</c>); tag patterns match the tag. An empty include list
/// selects everything; an exclude match always wins. Syntax: see <see cref="GlobPattern"/>.
/// </summary>
/// <remarks>
/// <see cref="ExplicitRepositories"/> replaces the catalog for registries that refuse <c>/v2/_catalog</c> (Docker Hub,
/// GHCR): the names are taken as the candidates, and the include/exclude patterns still apply to them. A repository
/// outside the names is never selected (<see cref="IncludesRepository"/>), so a source event for it is ignored too.
/// Compiled patterns are cached on first use; the lists are not meant to change after that.
/// </remarks>
public sealed class ImageFilter
{
    private Compiled? _compiled;

    /// <summary>A filter that selects every repository and tag.</summary>
    public static ImageFilter Everything { get; } = new();

    /// <summary>Repository patterns to select (empty = all).</summary>
    public IReadOnlyList<string> IncludeRepositories { get; init; } = [];

    /// <summary>Repository patterns to leave out, even when included.</summary>
    public IReadOnlyList<string> ExcludeRepositories { get; init; } = [];

    /// <summary>Tag patterns to select (empty = all).</summary>
    public IReadOnlyList<string> IncludeTags { get; init; } = [];

    /// <summary>Tag patterns to leave out, even when included.</summary>
    public IReadOnlyList<string> ExcludeTags { get; init; } = [];

    /// <summary>Repository paths relative to the project, used instead of listing the catalog when not empty.</summary>
    public IReadOnlyList<string> ExplicitRepositories { get; init; } = [];

    /// <summary>Every unusable entry, each with a message an administrator can act on. Empty when the filter is valid.</summary>
    public IReadOnlyList<FilterProblem> Validate()
    {
        var problems = new List<FilterProblem>();
        Check(IncludeRepositories, FilterField.IncludeRepositories, GlobTarget.Repository, problems);
        Check(ExcludeRepositories, FilterField.ExcludeRepositories, GlobTarget.Repository, problems);
        Check(IncludeTags, FilterField.IncludeTags, GlobTarget.Tag, problems);
        Check(ExcludeTags, FilterField.ExcludeTags, GlobTarget.Tag, problems);
        for (var i = 0; i < ExplicitRepositories.Count; i++)
        {
            var name = ExplicitRepositories[i];
            var error = GlobPattern.Validate(name, GlobTarget.Repository);
            if (error is null && !GlobPattern.Parse(name, GlobTarget.Repository).IsLiteral)
            {
                error = "An explicit repository is a name, not a pattern; put patterns in the repository filter.";
            }

            if (error is not null)
            {
                problems.Add(new FilterProblem(FilterField.ExplicitRepositories, i, name, error));
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the filter is not valid.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The image filter is not valid: " + string.Join("; ", problems));
        }
    }

    /// <summary>
    /// True when the repository (path relative to the project) is selected: one of <see cref="ExplicitRepositories"/>
    /// when there are any, and through the include and exclude patterns.
    /// </summary>
    public bool IncludesRepository(string relativePath)
    {
        var compiled = GetCompiled();
        return (compiled.ExplicitRepositories is null || compiled.ExplicitRepositories.Contains(relativePath))
            && Selects(compiled.IncludeRepositories, compiled.ExcludeRepositories, relativePath);
    }

    /// <summary>True when the tag is selected.</summary>
    public bool IncludesTag(string tag)
    {
        var compiled = GetCompiled();
        return Selects(compiled.IncludeTags, compiled.ExcludeTags, tag);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"repositories [{string.Join(", ", IncludeRepositories)}] - [{string.Join(", ", ExcludeRepositories)}], " +
        $"tags [{string.Join(", ", IncludeTags)}] - [{string.Join(", ", ExcludeTags)}]" +
        (ExplicitRepositories.Count > 0 ? $", explicit [{string.Join(", ", ExplicitRepositories)}]" : "");

    private static bool Selects(GlobPattern[] include, GlobPattern[] exclude, string value) =>
        (include.Length == 0 || include.Any(p => p.IsMatch(value))) && !exclude.Any(p => p.IsMatch(value));

    private static void Check(IReadOnlyList<string> patterns, FilterField field, GlobTarget target, List<FilterProblem> problems)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            var error = GlobPattern.Validate(patterns[i], target);
            if (error is not null)
            {
                problems.Add(new FilterProblem(field, i, patterns[i] ?? "", error));
            }
        }
    }

    private Compiled GetCompiled()
    {
        // A benign race: two threads may compile the same patterns; both results are equal.
        return _compiled ??= new Compiled(
            IncludeRepositories.Select(p => GlobPattern.Parse(p, GlobTarget.Repository)).ToArray(),
            ExcludeRepositories.Select(p => GlobPattern.Parse(p, GlobTarget.Repository)).ToArray(),
            IncludeTags.Select(p => GlobPattern.Parse(p, GlobTarget.Tag)).ToArray(),
            ExcludeTags.Select(p => GlobPattern.Parse(p, GlobTarget.Tag)).ToArray(),
            ExplicitRepositories.Count == 0 ? null : ExplicitRepositories.ToHashSet(StringComparer.Ordinal));
    }

    // ExplicitRepositories is null when the catalog decides which repositories exist.
    private sealed record Compiled(
        GlobPattern[] IncludeRepositories,
        GlobPattern[] ExcludeRepositories,
        GlobPattern[] IncludeTags,
        GlobPattern[] ExcludeTags,
        HashSet<string>? ExplicitRepositories);
}
