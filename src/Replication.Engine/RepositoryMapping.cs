namespace Replication.Engine;

/// <summary>Moves repository paths from the source project to their destination names (project, prefix, flattening).</summary>
internal readonly record struct RepositoryMapping(string SourceProject, string DestinationProject, DestinationNaming? Naming = null)
{
    /// <summary>The path relative to the source project, or null when the repository lies outside it.</summary>
    public string? ToRelative(string sourceRepository) => Relative(SourceProject, sourceRepository);

    public string ToSource(string relative) => Join(SourceProject, relative);

    public string ToDestination(string sourceRepository) =>
        Join(DestinationProject, (Naming ?? DestinationNaming.KeepPath).Apply(
            ToRelative(sourceRepository) ?? throw new ArgumentException($"'{sourceRepository}' is not in project '{SourceProject}'.", nameof(sourceRepository))));

    /// <summary>
    /// The source repository a destination repository was copied from; null when it lies outside the destination
    /// project and prefix, or when flattening makes the name ambiguous.
    /// </summary>
    public string? ToSourceFromDestination(string destinationRepository)
    {
        if (Naming is { IsOneToOne: false })
        {
            return null;
        }

        var relative = Relative(Join(DestinationProject, Naming?.Prefix ?? ""), destinationRepository);
        return relative is null ? null : Join(SourceProject, relative);
    }

    /// <summary>
    /// True when the destination repository is a name this mapping can produce (inside the destination project and
    /// prefix); a record outside it was made before the rule was pointed elsewhere, and deletions leave it alone.
    /// </summary>
    public bool CouldProduce(string destinationRepository)
    {
        var prefix = Join(DestinationProject, Naming?.Prefix ?? "");
        return prefix.Length == 0 || destinationRepository == prefix
            || (destinationRepository.StartsWith(prefix, StringComparison.Ordinal) && destinationRepository.Length > prefix.Length && destinationRepository[prefix.Length] == '/');
    }

    private static string? Relative(string project, string repository)
    {
        if (project.Length == 0)
        {
            return repository;
        }

        if (repository == project)
        {
            return "";
        }

        return repository.Length > project.Length + 1 && repository.StartsWith(project, StringComparison.Ordinal) && repository[project.Length] == '/'
            ? repository[(project.Length + 1)..]
            : null;
    }

    private static string Join(string project, string relative) =>
        project.Length == 0 ? relative : relative.Length == 0 ? project : $"{project}/{relative}";
}
