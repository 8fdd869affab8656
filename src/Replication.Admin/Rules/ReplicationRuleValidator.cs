using Replication.Admin.Registries;
using Replication.Engine.Filters;
using Replication.Registry.Content;

namespace Replication.Admin.Rules;

/// <summary>
/// The one set of rules for a replication rule's fields, used by the dialog (per field, while typing) and the API (all at
/// once). Keys are the API's field names (<c>trigger.cron</c> for nested ones). Each message says what is wrong and how to fix it.
/// </summary>
public static class ReplicationRuleValidator
{
    public const string NameField = "name";
    public const string DescriptionField = "description";
    public const string SourceRegistryField = "sourceRegistryId";
    public const string SourceProjectField = "sourceProject";
    public const string RepositoriesIncludeField = "repositories.include";
    public const string RepositoriesExcludeField = "repositories.exclude";
    public const string RepositoryNamesField = "repositories.names";
    public const string TagsIncludeField = "tags.include";
    public const string TagsExcludeField = "tags.exclude";
    public const string SemverField = "tags.semver";
    public const string NewestField = "tags.newest";
    public const string DestinationRegistryField = "destinationRegistryId";
    public const string DestinationProjectField = "destinationProject";
    public const string FlattenField = "destinationNaming.flatten";
    public const string DestinationPrefixField = "destinationNaming.prefix";
    public const string BandwidthField = "bandwidthLimitKiBps";
    public const string PlatformsField = "platforms";
    public const int MaxPlatforms = 32;
    public const string TriggerModeField = "trigger.mode";
    public const string CronField = "trigger.cron";

    public const int NameMaxLength = 64;
    public const int DescriptionMaxLength = 1000;
    public const int ProjectMaxLength = References.RepositoryMaxLength;
    public const int CronMaxLength = 128;
    public const int SemverMaxLength = 256;

    /// <summary>100 GiB/s: anything above is a typo, not a limit.</summary>
    public const int BandwidthMaxKiBps = 100 * 1024 * 1024;
    public const int MaxPatterns = 50;
    public const int MaxRepositoryNames = 500;

    /// <summary>Longest full repository name (project and path) distribution accepts.</summary>
    public const int RepositoryMaxLength = References.RepositoryMaxLength;

    /// <summary>Every problem of <paramref name="input"/>; empty when it can be saved.</summary>
    /// <param name="input">The submitted rule.</param>
    /// <param name="registries">The registries that exist (to check both ids and compare source with destination).</param>
    /// <param name="minimumScheduleInterval">The shortest time a schedule may leave between runs; default one minute.</param>
    public static IReadOnlyDictionary<string, string[]> Validate(ReplicationRuleInput input, IReadOnlyCollection<RegistryView> registries, TimeSpan? minimumScheduleInterval = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(registries);
        var errors = new Dictionary<string, string[]>();
        Add(errors, NameField, ValidateName(input.Name));
        Add(errors, DescriptionField, ValidateDescription(input.Description));
        Add(errors, SourceRegistryField, ValidateRegistry(input.SourceRegistryId, registries, "Source registry"));
        Add(errors, SourceProjectField, ValidateSourceProject(input.SourceProject));
        Add(errors, RepositoriesIncludeField, ValidatePatterns(input.Repositories?.Include, FilterField.IncludeRepositories));
        Add(errors, RepositoriesExcludeField, ValidatePatterns(input.Repositories?.Exclude, FilterField.ExcludeRepositories));
        Add(errors, RepositoryNamesField, ValidateRepositoryNames(input.Repositories?.Names, input.SourceProject)
            .Concat(ValidateNamesNeeded(input.Repositories?.Names, registries.FirstOrDefault(r => r.Id == input.SourceRegistryId))));
        Add(errors, TagsIncludeField, ValidatePatterns(input.Tags?.Include, FilterField.IncludeTags));
        Add(errors, TagsExcludeField, ValidatePatterns(input.Tags?.Exclude, FilterField.ExcludeTags));
        Add(errors, SemverField, ValidateSemver(input.Tags?.Semver));
        Add(errors, NewestField, ValidateNewest(input.Tags?.Newest));
        Add(errors, DestinationRegistryField, ValidateRegistry(input.DestinationRegistryId, registries, "Destination registry"));
        Add(errors, DestinationProjectField, ValidateDestinationProject(input, registries));
        Add(errors, FlattenField, ValidateFlatten(input.DestinationNaming?.Flatten));
        Add(errors, BandwidthField, ValidateBandwidth(input.BandwidthLimitKiBps));
        Add(errors, PlatformsField, ValidatePlatforms(input.Platforms));
        Add(errors, DestinationPrefixField, ValidateDestinationPrefix(input.DestinationNaming?.Prefix, input.DestinationProject ?? input.SourceProject));
        Add(errors, TriggerModeField, ValidateTriggerMode(input.Trigger?.Mode)
            .Concat(ValidateEventSource(input.Trigger?.Mode, registries.FirstOrDefault(r => r.Id == input.SourceRegistryId))));
        Add(errors, CronField, ValidateCron(input.Trigger?.Mode, input.Trigger?.Cron, minimumScheduleInterval));
        return errors;
    }

    public static IEnumerable<string> ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return "Name is required. Enter a short name such as 'nightly-team'.";
            yield break;
        }

        name = name.Trim();
        if (name.Length > NameMaxLength)
        {
            yield return $"Name is {name.Length} characters long; shorten it to at most {NameMaxLength}.";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ' ')))
        {
            yield return "Name may contain letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit.";
        }
    }

    public static IEnumerable<string> ValidateDescription(string? description)
    {
        if (description is not null && description.Trim().Length > DescriptionMaxLength)
        {
            yield return $"Description is {description.Trim().Length} characters long; shorten it to at most {DescriptionMaxLength}.";
        }
    }

    public static IEnumerable<string> ValidateRegistry(int? registryId, IReadOnlyCollection<RegistryView> registries, string label)
    {
        ArgumentNullException.ThrowIfNull(registries);
        if (registryId is null or 0)
        {
            yield return registries.Count == 0
                ? $"{label} is required, and no registry is registered yet. Add one on the Registries page first."
                : $"{label} is required. Choose one of the registered registries.";
        }
        else if (registries.All(r => r.Id != registryId))
        {
            yield return $"{label} {registryId} does not exist (it may have been deleted). Choose one of the registered registries.";
        }
    }

    public static IEnumerable<string> ValidateSourceProject(string? project)
    {
        if (string.IsNullOrWhiteSpace(project))
        {
            yield return "Source project is required. Enter the project to replicate from: the first part of its repository names ('team' for team/app).";
            yield break;
        }

        foreach (var message in ValidateProjectName(project.Trim(), "Source project"))
        {
            yield return message;
        }
    }

    /// <summary>The destination project on its own (empty is allowed: same as the source).</summary>
    public static IEnumerable<string> ValidateDestinationProject(string? project) =>
        string.IsNullOrWhiteSpace(project) ? [] : ValidateProjectName(project.Trim(), "Destination project");

    /// <summary>The destination project, and that source and destination differ when they are the same registry.</summary>
    public static IEnumerable<string> ValidateDestinationProject(ReplicationRuleInput input, IReadOnlyCollection<RegistryView> registries)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(registries);
        var problems = ValidateDestinationProject(input.DestinationProject).ToList();
        if (problems.Count > 0)
        {
            return problems;
        }

        var source = registries.FirstOrDefault(r => r.Id == input.SourceRegistryId);
        var destination = registries.FirstOrDefault(r => r.Id == input.DestinationRegistryId);
        var sourceProject = input.SourceProject?.Trim() ?? "";
        var destinationProject = string.IsNullOrWhiteSpace(input.DestinationProject) ? sourceProject : input.DestinationProject.Trim();
        var sameRegistry = source is not null && destination is not null
            && (source.Id == destination.Id || string.Equals(source.Url.TrimEnd('/'), destination.Url.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        var renamed = !string.IsNullOrWhiteSpace(input.DestinationNaming?.Prefix) || FlattenModes.Parse(input.DestinationNaming?.Flatten) is not (0 or null);
        if (sameRegistry && !renamed && sourceProject.Length > 0 && string.Equals(sourceProject, destinationProject, StringComparison.Ordinal))
        {
            return [$"Source and destination are the same registry and project ('{sourceProject}'): the rule would copy images onto themselves. Choose another destination registry or project, or a destination prefix."];
        }

        return [];
    }

    /// <summary>Patterns of one list, through the engine's parser; each message names the pattern.</summary>
    public static IEnumerable<string> ValidatePatterns(IEnumerable<string>? patterns, FilterField field)
    {
        var list = PatternList.Clean(patterns);
        if (list.Count > MaxPatterns)
        {
            return [$"{FieldLabel(field)} has {list.Count} patterns; at most {MaxPatterns} are allowed. Combine them with {{a,b}} or wildcards."];
        }

        var filter = field switch
        {
            FilterField.IncludeRepositories => new ImageFilter { IncludeRepositories = list },
            FilterField.ExcludeRepositories => new ImageFilter { ExcludeRepositories = list },
            FilterField.IncludeTags => new ImageFilter { IncludeTags = list },
            FilterField.ExcludeTags => new ImageFilter { ExcludeTags = list },
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Only the include and exclude lists are edited."),
        };
        return filter.Validate().Select(p => $"{FieldLabel(field)}: '{p.Pattern}' is not a valid pattern. {p.Message}").ToList();
    }

    /// <summary>
    /// The repositories listed instead of the source's catalog: each an exact repository path relative to the source
    /// project, in the OCI distribution grammar (lowercase components separated by '/'), no wildcards, none twice.
    /// </summary>
    /// <param name="names">The entries as typed (blank ones are ignored, like blank patterns).</param>
    /// <param name="sourceProject">The rule's source project, to check the full name's length; null or empty when unknown.</param>
    public static IEnumerable<string> ValidateRepositoryNames(IEnumerable<string>? names, string? sourceProject = null)
    {
        var list = names?.Select(n => n?.Trim() ?? "").Where(n => n.Length > 0).ToList() ?? [];
        if (list.Count > MaxRepositoryNames)
        {
            return [$"{FieldLabel(FilterField.ExplicitRepositories)} has {list.Count} entries; at most {MaxRepositoryNames} are allowed. Split them over several rules."];
        }

        var project = sourceProject?.Trim() ?? "";
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in list)
        {
            if (RepositoryNameProblem(name, project) is { } problem)
            {
                problems.Add($"{FieldLabel(FilterField.ExplicitRepositories)}: '{name}' {problem}");
            }
            else if (!seen.Add(name) && repeated.Add(name))
            {
                problems.Add($"{FieldLabel(FilterField.ExplicitRepositories)}: '{name}' is listed more than once; list each repository once.");
            }
        }

        if (problems.Count == 0)
        {
            // The engine checks the names again when it runs; its verdict is the backstop for anything the grammar lets through.
            problems.AddRange(new ImageFilter { ExplicitRepositories = list }.Validate()
                .Select(p => $"{FieldLabel(FilterField.ExplicitRepositories)}: '{p.Pattern}' is not usable. {p.Message}"));
        }

        return problems;
    }

    /// <summary>A source that never lists its repositories (Docker Hub, GHCR) needs them named: say so now, not at the first run.</summary>
    public static IEnumerable<string> ValidateNamesNeeded(IEnumerable<string>? names, RegistryView? source)
    {
        if (source is null || RegistryKinds.Find(source.Kind) is not { NeverListsCatalog: true } kind || names?.Any(n => !string.IsNullOrWhiteSpace(n)) == true)
        {
            return [];
        }

        return [$"{kind.DisplayName} ('{source.Name}') does not list its repositories, so the rule must name them: enter the repositories to replicate in " +
            "Repository names, relative to the source project (e.g. 'alpine' in project 'library')."];
    }

    /// <summary>The version range through the engine's parser (blank = none).</summary>
    public static IEnumerable<string> ValidateSemver(string? range)
    {
        if (string.IsNullOrWhiteSpace(range))
        {
            return [];
        }

        if (range.Trim().Length > SemverMaxLength)
        {
            return [$"Version range is {range.Trim().Length} characters long; shorten it to at most {SemverMaxLength}."];
        }

        return new ImageFilter { SemverRange = range.Trim() }.Validate().Select(p => $"Version range '{p.Pattern}': {p.Message}").ToList();
    }

    /// <summary>The number of newest tags to keep (empty = all).</summary>
    public static IEnumerable<string> ValidateNewest(int? newest) =>
        new ImageFilter { Newest = newest }.Validate().Select(p => $"Newest tags is {p.Pattern}. {p.Message}").ToList();

    /// <summary>The platforms to copy: os/architecture[/variant] each, at most <see cref="MaxPlatforms"/>.</summary>
    public static IEnumerable<string> ValidatePlatforms(IEnumerable<string>? platforms)
    {
        var list = PatternList.Clean(platforms);
        if (list.Count > MaxPlatforms)
        {
            return [$"Platforms has {list.Count} entries; at most {MaxPlatforms} are allowed. Leave it empty to copy every platform."];
        }

        return Replication.Engine.Copying.PlatformSubset.Validate(list);
    }

    /// <summary>The rule's bandwidth limit in KiB/s (empty = the global default).</summary>
    public static IEnumerable<string> ValidateBandwidth(int? kibPerSecond)
    {
        if (kibPerSecond is < 1 or > BandwidthMaxKiBps)
        {
            yield return $"Bandwidth limit {kibPerSecond} KiB/s is out of range: enter 1 KiB/s to {BandwidthMaxKiBps / 1024 / 1024} GiB/s, or leave it empty for the global default (unlimited unless configured).";
        }
    }

    /// <summary>The flatten choice: none, 1, 2, 3 or all.</summary>
    public static IEnumerable<string> ValidateFlatten(string? flatten)
    {
        if (FlattenModes.Parse(flatten) is null)
        {
            yield return $"Flatten '{flatten}' is not one of the choices: use 'none' (keep the full path), 1, 2 or 3 (drop that many leading levels) or 'all' (keep only the image name).";
        }
    }

    /// <summary>The destination prefix: empty, or a repository path such as 'mirror' or 'hub/library'.</summary>
    public static IEnumerable<string> ValidateDestinationPrefix(string? prefix, string? destinationProject = null)
    {
        var trimmed = prefix?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            yield break;
        }

        if (trimmed.IndexOfAny(['*', '?', '{', '}', '[', ']']) >= 0)
        {
            yield return $"Destination prefix '{trimmed}' contains a wildcard; a prefix is a fixed path such as 'mirror' or 'hub/library'.";
        }
        else if (RepositoryNameProblem(trimmed, destinationProject?.Trim() ?? "") is { } problem)
        {
            yield return $"Destination prefix '{trimmed}' {problem.Replace("relative to the source project", "put before the repository path", StringComparison.Ordinal)}";
        }
    }

    public static IEnumerable<string> ValidateTriggerMode(string? mode)
    {
        if (TriggerModes.Parse(mode) is null)
        {
            yield return $"Trigger mode must be '{TriggerModes.Manual}', '{TriggerModes.Immediate}' (when the source registry notifies a push) or '{TriggerModes.Scheduled}' (with a cron expression).";
        }
    }

    /// <summary>Immediate rules wait for registry events, which only distribution-style registries and Harbor send this app.</summary>
    public static IEnumerable<string> ValidateEventSource(string? mode, RegistryView? source)
    {
        if (TriggerModes.Parse(mode) == TriggerMode.Immediate && source is not null
            && RegistryKinds.Find(source.Kind) is { } kind && kind.Value is not (RegistryKinds.Generic or RegistryKinds.Harbor))
        {
            yield return $"{kind.DisplayName} ('{source.Name}') does not send the push and delete events an immediate rule waits for. Choose Scheduled (e.g. every hour: 0 * * * *) or Manual.";
        }
    }

    /// <summary>The cron expression, required and checked only for scheduled rules; it may not run more often than the floor.</summary>
    public static IEnumerable<string> ValidateCron(string? mode, string? cron, TimeSpan? minimumInterval = null)
    {
        if (TriggerModes.Parse(mode) != TriggerMode.Scheduled)
        {
            yield break;
        }

        if (cron is not null && cron.Length > CronMaxLength)
        {
            yield return $"Cron is {cron.Length} characters long; a schedule needs at most {CronMaxLength}.";
            yield break;
        }

        if (CronSchedule.Validate(cron, minimumInterval) is { } error)
        {
            yield return error;
        }
    }

    /// <summary>The label a list has in the dialog, for messages.</summary>
    public static string FieldLabel(FilterField field) => field switch
    {
        FilterField.IncludeRepositories => "Repositories",
        FilterField.ExcludeRepositories => "Exclude repositories",
        FilterField.IncludeTags => "Tags",
        FilterField.ExcludeTags => "Exclude tags",
        FilterField.ExplicitRepositories => "Repository names",
        _ => field.ToString(),
    };

    private static IEnumerable<string> ValidateProjectName(string project, string label)
    {
        if (project.Length > ProjectMaxLength)
        {
            yield return $"{label} is {project.Length} characters long; a project name has at most {ProjectMaxLength}.";
        }
        else if (project.Where(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/')).Distinct().ToList() is { Count: > 0 } foreign)
        {
            var named = foreign.Select(c => c == ' ' ? "spaces" : $"'{c}'").Append(project.Contains('/', StringComparison.Ordinal) ? "'/'" : null).OfType<string>().ToList();
            yield return $"{label} '{project}' is not a project name: {JoinWords(named)} {(named is [var one] && one != "spaces" ? "is" : "are")} not allowed; use lowercase letters and digits, separated by '.', '_' or '-' (e.g. 'team' or 'team-a').";
        }
        else if (project.Contains('/', StringComparison.Ordinal))
        {
            yield return $"{label} '{project}' contains '/': a project is only the first part of a repository name ('team' for team/app); put the rest in the Repositories filter.";
        }
        else if (!References.IsPathComponent(project))
        {
            yield return $"{label} '{project}' is not a project name: use lowercase letters and digits, separated by '.', '_' or '-' (e.g. 'team' or 'team-a').";
        }
    }

    private static string JoinWords(List<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static void Add(Dictionary<string, string[]> errors, string field, IEnumerable<string> messages)
    {
        var list = messages.ToArray();
        if (list.Length > 0)
        {
            errors[field] = list;
        }
    }

    /// <summary>What is wrong with one repository name (the text after the quoted name), or null when it is a valid path.</summary>
    private static string? RepositoryNameProblem(string name, string project)
    {
        if (name.IndexOfAny(['*', '?', '{', '}', '[', ']']) >= 0)
        {
            return "is a pattern, not a repository name; write exact names here and use the include patterns (Repositories) for wildcards.";
        }

        if (name.Any(char.IsAsciiLetterUpper))
        {
            return $"has capital letters; repository names are lowercase: write '{name.ToLowerInvariant()}'.";
        }

        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal))
        {
            return "has an empty part; write the path relative to the source project without leading, trailing or double '/', e.g. 'app' or 'tools/cli'.";
        }

        if (name.Split('/').FirstOrDefault(part => !References.IsPathComponent(part)) is { } bad)
        {
            return $"is not a repository path: '{bad}' must be lowercase letters and digits, optionally joined by '.', '_', '__' or '-' " +
                "(not at the start or end), with parts separated by '/', e.g. 'app', 'my-app' or 'tools/cli'.";
        }

        var full = project.Length == 0 ? name.Length : project.Length + 1 + name.Length;
        return full > RepositoryMaxLength
            ? $"makes a repository name of {full} characters with the source project; registries accept at most {RepositoryMaxLength}. Shorten it."
            : null;
    }
}
