namespace Replication.Engine;

/// <summary>Moves repository paths between the source project and the destination project.</summary>
internal readonly record struct RepositoryMapping(string SourceProject, string DestinationProject)
{
    /// <summary>The path relative to the source project, or null when the repository lies outside it.</summary>
    public string? ToRelative(string sourceRepository) => Relative(SourceProject, sourceRepository);

    public string ToSource(string relative) => Join(SourceProject, relative);

    public string ToDestination(string sourceRepository) =>
        Join(DestinationProject, ToRelative(sourceRepository) ?? throw new ArgumentException($"'{sourceRepository}' is not in project '{SourceProject}'.", nameof(sourceRepository)));

    /// <summary>The source repository a destination repository was copied from, or null when it lies outside the destination project.</summary>
    public string? ToSourceFromDestination(string destinationRepository) =>
        Relative(DestinationProject, destinationRepository) is { } relative ? Join(SourceProject, relative) : null;

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
