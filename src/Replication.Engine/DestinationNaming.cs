using Replication.Registry.Content;

namespace Replication.Engine;

/// <summary>
/// How a source repository's path (relative to the source project) is named at the destination: Harbor's flattening
/// (keep the full path, drop the first 1, 2 or 3 levels, or keep only the image name) and an optional prefix path put
/// between the destination project and the rest. <c>team/a/b/app</c> from project <c>team</c> with flatten 1 and
/// prefix <c>mirror</c> into project <c>dst</c> becomes <c>dst/mirror/b/app</c>. The image name is never dropped.
/// </summary>
public sealed record DestinationNaming
{
    /// <summary><see cref="FlattenLevels"/> value that keeps only the last path segment (the image name).</summary>
    public const int FlattenAll = int.MaxValue;

    /// <summary>The largest level count besides <see cref="FlattenAll"/> (as Harbor offers).</summary>
    public const int MaxFlattenLevels = 3;

    /// <summary>Keep the full path, no prefix: what rules did before naming existed.</summary>
    public static DestinationNaming KeepPath { get; } = new();

    /// <summary>Leading path levels dropped (0 = keep the full path; <see cref="FlattenAll"/> = keep only the image name).</summary>
    public int FlattenLevels { get; init; }

    /// <summary>A repository path (<c>mirror</c>, <c>hub/library</c>) put before the flattened path; empty for none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>True when two source repositories can never land on one destination name.</summary>
    public bool IsOneToOne => FlattenLevels == 0;

    /// <summary>The destination path relative to the destination project (may be empty: the project itself).</summary>
    public string Apply(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath;
        if (FlattenLevels > 0 && path.Length > 0)
        {
            var segments = path.Split('/');
            var drop = Math.Min(FlattenLevels, segments.Length - 1);
            path = string.Join('/', segments.Skip(drop));
        }

        return Prefix.Length == 0 ? path : path.Length == 0 ? Prefix : $"{Prefix}/{path}";
    }

    /// <summary>Problems an administrator can fix; empty when the naming is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (FlattenLevels is < 0 or > MaxFlattenLevels && FlattenLevels != FlattenAll)
        {
            problems.Add($"Flatten must be none, 1, 2, 3 or all levels, not {FlattenLevels}.");
        }

        if (Prefix.Length > 0 && (Prefix.StartsWith('/') || Prefix.EndsWith('/') || Prefix.Split('/').Any(part => !References.IsPathComponent(part))))
        {
            problems.Add($"Destination prefix '{Prefix}' is not a repository path: use lowercase letters and digits joined by '.', '_' or '-', parts separated by '/', e.g. 'mirror' or 'hub/library'.");
        }

        return problems;
    }

    /// <summary>"keep the full path", "flatten 2 levels", "flatten all levels", with the prefix.</summary>
    public override string ToString() =>
        (FlattenLevels switch { 0 => "keep the full path", FlattenAll => "flatten all levels", 1 => "flatten 1 level", _ => $"flatten {FlattenLevels} levels" })
        + (Prefix.Length > 0 ? $", prefix '{Prefix}'" : "");
}

/// <summary>Two selected source repositories that a rule's naming would put under one destination name.</summary>
/// <param name="DestinationRepository">The shared destination repository.</param>
/// <param name="First">One source repository (the first by name).</param>
/// <param name="Second">The other source repository.</param>
public sealed record NamingCollision(string DestinationRepository, string First, string Second)
{
    /// <summary>What is wrong and how to fix it, naming both sources.</summary>
    public string Message =>
        $"Source repositories '{First}' and '{Second}' would both be replicated to '{DestinationRepository}'. Flatten fewer levels, or exclude one of them from the rule.";

    /// <summary>Every pair of sources that would share a destination name, by destination then source name.</summary>
    public static IReadOnlyList<NamingCollision> Find(IEnumerable<(string Source, string Destination)> mapped)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        return mapped
            .GroupBy(m => m.Destination, StringComparer.Ordinal)
            .Where(g => g.Select(m => m.Source).Distinct(StringComparer.Ordinal).Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g =>
            {
                var sources = g.Select(m => m.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                return sources.Skip(1).Select(other => new NamingCollision(g.Key, sources[0], other));
            })
            .ToList();
    }
}
