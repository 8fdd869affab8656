using Semver;

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

    /// <summary><see cref="ImageFilter.SemverRange"/>.</summary>
    SemverRange,

    /// <summary><see cref="ImageFilter.Newest"/>.</summary>
    Newest,
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

    /// <summary>
    /// A semantic-version range in npm syntax (<c>&gt;=1.2 &lt;2</c>, <c>^1.4</c>, <c>~2.0 || 3.x</c>); when set, only tags
    /// that are versions (<c>1.2.3</c>, <c>v1.2</c>) inside it are selected, besides the patterns. Pre-releases
    /// (<c>1.3.0-rc1</c>, <c>1.25-alpine</c>) match only a range naming a pre-release of the same version, as in npm.
    /// </summary>
    public string? SemverRange { get; init; }

    /// <summary>
    /// Keep only this many of the tags the other filters select in each repository, newest first: by semantic version
    /// when every such tag is one, otherwise by the image's creation time. Null = all.
    /// </summary>
    public int? Newest { get; init; }

    /// <summary>Largest <see cref="Newest"/> accepted.</summary>
    public const int MaxNewest = 10_000;

    /// <summary>How tags are read as versions: <c>1</c>, <c>1.2</c>, <c>1.2.3</c>, with or without a leading <c>v</c>.</summary>
    public const SemVersionStyles TagVersionStyles = SemVersionStyles.AllowV | SemVersionStyles.OptionalMinorPatch;

    /// <summary>The tag as a semantic version, or null when it is not one (<c>latest</c>, <c>main</c>).</summary>
    public static SemVersion? VersionOf(string tag) =>
        SemVersion.TryParse(tag, TagVersionStyles, out var version) ? version : null;

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

        if (SemverRange is not null && ParseRange(SemverRange) is null)
        {
            problems.Add(new FilterProblem(FilterField.SemverRange, 0, SemverRange,
                "Not a semantic-version range. Write comparisons separated by spaces, e.g. '>=1.2 <2', '^1.4', '~2.0' or '1.x || 2.x'."));
        }

        if (Newest is < 1 or > MaxNewest)
        {
            problems.Add(new FilterProblem(FilterField.Newest, 0, Newest.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Keep a number of newest tags from 1 to {MaxNewest}, or leave it empty to keep all."));
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

    /// <summary>True when the tag passes the patterns and the version range (<see cref="Newest"/> needs the whole listing: <see cref="SelectTagsAsync"/>).</summary>
    public bool IncludesTag(string tag)
    {
        var compiled = GetCompiled();
        return Selects(compiled.IncludeTags, compiled.ExcludeTags, tag)
            && (compiled.Range is null || (VersionOf(tag) is { } version && compiled.Range.Contains(version)));
    }

    /// <summary>True when <see cref="Newest"/> would order these tags by version (every one is a version).</summary>
    public static bool AllVersions(IEnumerable<string> tags) => tags.All(t => VersionOf(t) is not null);

    /// <summary>
    /// The tags <see cref="IncludesTag"/> selects, cut to the <see cref="Newest"/> ones: newest first when cut, by name
    /// otherwise. <paramref name="created"/> gives an image's creation time and is asked only when a cut is needed and
    /// not every tag is a version; an unknown time counts as oldest.
    /// </summary>
    public async Task<List<string>> SelectTagsAsync(IEnumerable<string> tags, Func<string, Task<DateTimeOffset?>> created)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(created);
        var selected = tags.Where(IncludesTag).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (Newest is not { } newest || selected.Count <= newest)
        {
            return selected;
        }

        if (AllVersions(selected))
        {
            return selected.OrderByDescending(t => VersionOf(t)!, SemVersion.PrecedenceComparer).ThenBy(t => t, StringComparer.Ordinal).Take(newest).ToList();
        }

        var times = await Task.WhenAll(selected.Select(async t => (Tag: t, Created: await created(t).ConfigureAwait(false)))).ConfigureAwait(false);
        return times.OrderByDescending(t => t.Created ?? DateTimeOffset.MinValue).ThenBy(t => t.Tag, StringComparer.Ordinal).Take(newest).Select(t => t.Tag).ToList();
    }

    private static SemVersionRange? ParseRange(string range) =>
        SemVersionRange.TryParseNpm(range.Trim(), out var parsed) ? parsed : null;

    /// <inheritdoc />
    public override string ToString() =>
        $"repositories [{string.Join(", ", IncludeRepositories)}] - [{string.Join(", ", ExcludeRepositories)}], " +
        $"tags [{string.Join(", ", IncludeTags)}] - [{string.Join(", ", ExcludeTags)}]" +
        (SemverRange is null ? "" : $", versions {SemverRange}") + (Newest is null ? "" : $", newest {Newest}") +
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
            ExplicitRepositories.Count == 0 ? null : ExplicitRepositories.ToHashSet(StringComparer.Ordinal),
            SemverRange is null ? null : ParseRange(SemverRange) ?? throw new ArgumentException($"'{SemverRange}' is not a semantic-version range.", nameof(SemverRange)));
    }

    // ExplicitRepositories is null when the catalog decides which repositories exist.
    private sealed record Compiled(
        GlobPattern[] IncludeRepositories,
        GlobPattern[] ExcludeRepositories,
        GlobPattern[] IncludeTags,
        GlobPattern[] ExcludeTags,
        HashSet<string>? ExplicitRepositories,
        SemVersionRange? Range);
}
