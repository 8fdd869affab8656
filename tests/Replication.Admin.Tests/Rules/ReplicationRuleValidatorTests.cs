using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Tests.Rules;

/// <summary>The one set of rules for a replication rule, as a table of good and bad inputs.</summary>
public sealed class ReplicationRuleValidatorTests
{
    private static readonly IReadOnlyCollection<RegistryView> Registries =
    [
        Registry(1, "source", "https://source.example.com"),
        Registry(2, "destination", "https://destination.example.com"),
        Registry(3, "source-again", "https://SOURCE.example.com/"),
    ];

    private static RegistryView Registry(int id, string name, string url) =>
        new(id, name, url, RegistryTypes.DockerRegistry, null, false, true, null, "", RegistryStatus.Unknown, null, null);

    private static ReplicationRuleInput Valid() => new()
    {
        Name = "nightly",
        SourceRegistryId = 1,
        SourceProject = "team",
        Repositories = new RepositoryFilterInput { Include = ["app*"], Exclude = [] },
        Tags = new PatternFilterInput { Include = ["v*"], Exclude = ["*-rc*"] },
        DestinationRegistryId = 2,
        Trigger = new TriggerInput { Mode = TriggerModes.Scheduled, Cron = "0 2 * * *" },
    };

    public static TheoryData<string, Action<ReplicationRuleInput>> GoodInputs => new()
    {
        { "complete scheduled rule", _ => { } },
        { "manual without cron", r => r.Trigger = new TriggerInput { Mode = TriggerModes.Manual } },
        { "immediate with both options", r => r.Trigger = new TriggerInput { Mode = "Immediate", ReplicateDeletions = true, ReplicateExisting = true } },
        { "manual ignores a bad cron", r => r.Trigger = new TriggerInput { Mode = TriggerModes.Manual, Cron = "not a cron" } },
        { "six-field cron with seconds", r => r.Trigger.Cron = "30 0 2 * * *" },
        { "cron macro", r => r.Trigger.Cron = "@daily" },
        { "cron with names and ranges", r => r.Trigger.Cron = "*/15 8-18 * * MON-FRI" },
        { "empty filters select everything", r => { r.Repositories = new RepositoryFilterInput(); r.Tags = new PatternFilterInput(); } },
        { "null filter lists", r => { r.Repositories = new RepositoryFilterInput { Include = null, Exclude = null, Names = null }; } },
        { "repository names", r => r.Repositories.Names = ["app", "tools/cli", "my-app", "a.b_c__d--e", "x/y/z9", "0"] },
        { "repository names with blank entries", r => r.Repositories.Names = ["app", " ", "", " web "] },
        { "repository names beside patterns", r => { r.Repositories.Include = ["app*"]; r.Repositories.Exclude = ["*-test"]; r.Repositories.Names = ["app", "app-test"]; } },
        { "repository name at the length limit", r => r.Repositories.Names = [new string('a', ReplicationRuleValidator.RepositoryMaxLength - "team/".Length)] },
        { "as many repository names as allowed", r => r.Repositories.Names = Enumerable.Range(0, ReplicationRuleValidator.MaxRepositoryNames).Select(i => $"app{i}").ToList() },
        { "patterns with every syntax", r => r.Repositories.Include = ["**/app", "sub/*", "{web,api}", "svc-[a-z]?"] },
        { "same registry, other project", r => { r.DestinationRegistryId = 1; r.DestinationProject = "mirror"; } },
        { "other registry, same project", r => r.DestinationProject = "team" },
        { "project with separators", r => r.SourceProject = "team-a.b_c" },
        { "description at the limit", r => r.Description = new string('d', ReplicationRuleValidator.DescriptionMaxLength) },
        { "name with spaces and dots", r => r.Name = "Team A nightly 1.0" },
        { "bandwidth limit", r => r.BandwidthLimitKiBps = 10 * 1024 },
        { "platforms", r => r.Platforms = ["linux/amd64", "linux/arm64/v8", " "] },
        { "version range and newest", r => { r.Tags.Semver = ">=1.2 <2"; r.Tags.Newest = 5; } },
        { "blank version range", r => r.Tags.Semver = "  " },
        { "flatten two levels with a prefix", r => r.DestinationNaming = new DestinationNamingInput { Flatten = "2", Prefix = "mirror/hub" } },
        { "flatten all, capitalised", r => r.DestinationNaming = new DestinationNamingInput { Flatten = "ALL" } },
        { "naming omitted", r => r.DestinationNaming = new DestinationNamingInput { Flatten = null, Prefix = null } },
        { "same registry and project under a prefix", r => { r.DestinationRegistryId = 1; r.DestinationNaming.Prefix = "mirror"; } },
    };

    public static TheoryData<string, Action<ReplicationRuleInput>, string, string> BadInputs => new()
    {
        { "no name", r => r.Name = " ", ReplicationRuleValidator.NameField, "Name is required." },
        { "name too long", r => r.Name = new string('n', 65), ReplicationRuleValidator.NameField, "shorten it to at most 64" },
        { "name with a slash", r => r.Name = "team/nightly", ReplicationRuleValidator.NameField, "Name may contain letters, digits, spaces" },
        { "name starting with a dash", r => r.Name = "-nightly", ReplicationRuleValidator.NameField, "must start with a letter or digit" },
        { "description too long", r => r.Description = new string('d', 1001), ReplicationRuleValidator.DescriptionField, "shorten it to at most 1000" },
        { "no source registry", r => r.SourceRegistryId = null, ReplicationRuleValidator.SourceRegistryField, "Source registry is required." },
        { "unknown source registry", r => r.SourceRegistryId = 42, ReplicationRuleValidator.SourceRegistryField, "Source registry 42 does not exist" },
        { "no destination registry", r => r.DestinationRegistryId = null, ReplicationRuleValidator.DestinationRegistryField, "Destination registry is required." },
        { "unknown destination registry", r => r.DestinationRegistryId = 9, ReplicationRuleValidator.DestinationRegistryField, "Destination registry 9 does not exist" },
        { "no source project", r => r.SourceProject = "", ReplicationRuleValidator.SourceProjectField, "Source project is required." },
        { "source project with a slash", r => r.SourceProject = "team/app", ReplicationRuleValidator.SourceProjectField, "contains '/'" },
        { "source project in capitals", r => r.SourceProject = "Team", ReplicationRuleValidator.SourceProjectField, "is not a project name: use lowercase" },
        { "destination project with a space", r => r.DestinationProject = "my mirror", ReplicationRuleValidator.DestinationProjectField, "is not a project name" },
        { "copy onto itself", r => r.DestinationRegistryId = 1, ReplicationRuleValidator.DestinationProjectField, "the rule would copy images onto themselves" },
        { "copy onto itself, project named", r => { r.DestinationRegistryId = 1; r.DestinationProject = "team"; }, ReplicationRuleValidator.DestinationProjectField, "same registry and project ('team')" },
        { "copy onto itself through another entry", r => r.DestinationRegistryId = 3, ReplicationRuleValidator.DestinationProjectField, "onto themselves" },
        { "unclosed brace", r => r.Repositories.Include = ["{app,web"], ReplicationRuleValidator.RepositoriesIncludeField, "Repositories: '{app,web' is not a valid pattern. '{' at position 1 is never closed" },
        { "upper case repository", r => r.Repositories.Exclude = ["App"], ReplicationRuleValidator.RepositoriesExcludeField, "Exclude repositories: 'App' is not a valid pattern." },
        { "slash in a tag", r => r.Tags.Include = ["v1/x"], ReplicationRuleValidator.TagsIncludeField, "tags cannot contain '/'" },
        { "backwards range", r => r.Tags.Exclude = ["[z-a]"], ReplicationRuleValidator.TagsExcludeField, "is backwards" },
        { "wildcard in a repository name", r => r.Repositories.Names = ["app", "web*"], ReplicationRuleValidator.RepositoryNamesField, "Repository names: 'web*' is a pattern, not a repository name; write exact names here and use the include patterns (Repositories) for wildcards." },
        { "question mark in a repository name", r => r.Repositories.Names = ["ap?"], ReplicationRuleValidator.RepositoryNamesField, "use the include patterns (Repositories) for wildcards" },
        { "braces in a repository name", r => r.Repositories.Names = ["{app,web}"], ReplicationRuleValidator.RepositoryNamesField, "'{app,web}' is a pattern, not a repository name" },
        { "capitals in a repository name", r => r.Repositories.Names = ["MyApp"], ReplicationRuleValidator.RepositoryNamesField, "'MyApp' has capital letters; repository names are lowercase: write 'myapp'." },
        { "leading slash", r => r.Repositories.Names = ["/app"], ReplicationRuleValidator.RepositoryNamesField, "'/app' has an empty part; write the path relative to the source project" },
        { "trailing slash", r => r.Repositories.Names = ["tools/"], ReplicationRuleValidator.RepositoryNamesField, "'tools/' has an empty part" },
        { "double slash", r => r.Repositories.Names = ["tools//cli"], ReplicationRuleValidator.RepositoryNamesField, "'tools//cli' has an empty part" },
        { "separator at the start", r => r.Repositories.Names = ["-app"], ReplicationRuleValidator.RepositoryNamesField, "'-app' is not a repository path: '-app' must be lowercase letters and digits" },
        { "separator at the end of a part", r => r.Repositories.Names = ["tools./cli"], ReplicationRuleValidator.RepositoryNamesField, "is not a repository path: 'tools.' must be" },
        { "three underscores", r => r.Repositories.Names = ["a___b"], ReplicationRuleValidator.RepositoryNamesField, "'a___b' is not a repository path" },
        { "two dots", r => r.Repositories.Names = ["a..b"], ReplicationRuleValidator.RepositoryNamesField, "'a..b' is not a repository path" },
        { "a space inside", r => r.Repositories.Names = ["my app"], ReplicationRuleValidator.RepositoryNamesField, "'my app' is not a repository path" },
        { "a colon and tag", r => r.Repositories.Names = ["app:v1"], ReplicationRuleValidator.RepositoryNamesField, "'app:v1' is not a repository path" },
        { "a line break before a slash", r => r.Repositories.Names = ["app\n/cli"], ReplicationRuleValidator.RepositoryNamesField, "is not a repository path: 'app\n' must be" },
        { "repeated repository name", r => r.Repositories.Names = ["app", "web", " app", "app"], ReplicationRuleValidator.RepositoryNamesField, "Repository names: 'app' is listed more than once; list each repository once." },
        { "repository name too long with its project", r => r.Repositories.Names = [new string('a', ReplicationRuleValidator.RepositoryMaxLength - "team/".Length + 1)], ReplicationRuleValidator.RepositoryNamesField, "makes a repository name of 256 characters with the source project; registries accept at most 255" },
        { "too many repository names", r => r.Repositories.Names = Enumerable.Range(0, ReplicationRuleValidator.MaxRepositoryNames + 1).Select(i => $"app{i}").ToList(), ReplicationRuleValidator.RepositoryNamesField, "Repository names has 501 entries; at most 500 are allowed." },
        { "too many patterns", r => r.Tags.Include = Enumerable.Range(0, 51).Select(i => $"v{i}").ToList(), ReplicationRuleValidator.TagsIncludeField, "at most 50 are allowed" },
        { "version range that is not one", r => r.Tags.Semver = "newer than 1.2", ReplicationRuleValidator.SemverField, "Version range 'newer than 1.2': Not a semantic-version range. Write comparisons separated by spaces, e.g. '>=1.2 <2'" },
        { "no newest tags", r => r.Tags.Newest = 0, ReplicationRuleValidator.NewestField, "Newest tags is 0. Keep a number of newest tags from 1 to 10000, or leave it empty to keep all." },
        { "platform without an architecture", r => r.Platforms = ["linux"], ReplicationRuleValidator.PlatformsField, "Platform 'linux' is not os/architecture[/variant] in lowercase, e.g. linux/amd64" },
        { "bandwidth limit of zero", r => r.BandwidthLimitKiBps = 0, ReplicationRuleValidator.BandwidthField, "Bandwidth limit 0 KiB/s is out of range: enter 1 KiB/s to 100 GiB/s, or leave it empty for the global default" },
        { "flatten four levels", r => r.DestinationNaming.Flatten = "4", ReplicationRuleValidator.FlattenField, "Flatten '4' is not one of the choices: use 'none' (keep the full path), 1, 2 or 3" },
        { "prefix in capitals", r => r.DestinationNaming.Prefix = "Mirror", ReplicationRuleValidator.DestinationPrefixField, "Destination prefix 'Mirror' has capital letters" },
        { "prefix with a wildcard", r => r.DestinationNaming.Prefix = "mirror*", ReplicationRuleValidator.DestinationPrefixField, "contains a wildcard; a prefix is a fixed path" },
        { "prefix with an empty part", r => r.DestinationNaming.Prefix = "mirror//x", ReplicationRuleValidator.DestinationPrefixField, "'mirror//x' has an empty part" },
        { "unknown trigger mode", r => r.Trigger.Mode = "hourly", ReplicationRuleValidator.TriggerModeField, "Trigger mode must be 'manual', 'immediate'" },
        { "no trigger", r => r.Trigger = new TriggerInput { Mode = null }, ReplicationRuleValidator.TriggerModeField, "Trigger mode must be" },
        { "scheduled without cron", r => r.Trigger.Cron = null, ReplicationRuleValidator.CronField, "Cron is required for a scheduled rule." },
        { "cron with four fields", r => r.Trigger.Cron = "0 2 * *", ReplicationRuleValidator.CronField, "Cron has 4 fields; it needs 5" },
        { "cron with seven fields", r => r.Trigger.Cron = "0 0 2 * * * 2026", ReplicationRuleValidator.CronField, "Cron has 7 fields" },
        { "cron minute out of range", r => r.Trigger.Cron = "61 2 * * *", ReplicationRuleValidator.CronField, "Minutes: Value must be a number between 0 and 59" },
        { "cron day of week out of range", r => r.Trigger.Cron = "0 2 * * 8", ReplicationRuleValidator.CronField, "Days of week" },
        { "cron that never runs", r => r.Trigger.Cron = "0 2 30 2 *", ReplicationRuleValidator.CronField, "never runs" },
        { "cron too long", r => r.Trigger.Cron = "0 2 * * " + new string('1', 130), ReplicationRuleValidator.CronField, "at most 128" },
    };

    [Theory]
    [MemberData(nameof(GoodInputs))]
    public void Good_inputs_pass(string because, Action<ReplicationRuleInput> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var input = Valid();
        change(input);

        var errors = ReplicationRuleValidator.Validate(input, Registries);

        Assert.True(errors.Count == 0, $"{because}: {string.Join(" | ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))}");
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_inputs_are_refused_at_their_field_with_a_message_that_says_what_is_wrong(string because, Action<ReplicationRuleInput> change, string field, string expected)
    {
        ArgumentNullException.ThrowIfNull(change);
        var input = Valid();
        change(input);

        var errors = ReplicationRuleValidator.Validate(input, Registries);

        Assert.True(errors.ContainsKey(field), $"{because}: no error at {field}; errors: {string.Join(" | ", errors.Keys)}");
        Assert.Contains(errors[field], m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_bad_repository_name_gets_its_own_message_and_a_repeat_is_named_once()
    {
        var input = Valid();
        input.Repositories.Names = ["app", "Web", "app", "tools/*", "app"];

        var errors = ReplicationRuleValidator.Validate(input, Registries);

        Assert.Equal([ReplicationRuleValidator.RepositoryNamesField], errors.Keys);
        Assert.Collection(
            errors[ReplicationRuleValidator.RepositoryNamesField],
            m => Assert.StartsWith("Repository names: 'Web' has capital letters", m, StringComparison.Ordinal),
            m => Assert.StartsWith("Repository names: 'app' is listed more than once", m, StringComparison.Ordinal),
            m => Assert.StartsWith("Repository names: 'tools/*' is a pattern", m, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_any_registry_the_message_says_to_add_one_first()
    {
        var input = Valid();
        input.SourceRegistryId = null;

        var errors = ReplicationRuleValidator.Validate(input, []);

        Assert.Contains("Add one on the Registries page first", errors[ReplicationRuleValidator.SourceRegistryField][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = ReplicationRuleValidator.Validate(new ReplicationRuleInput { Trigger = new TriggerInput { Mode = TriggerModes.Scheduled } }, Registries);

        string[] expected = [ReplicationRuleValidator.CronField, ReplicationRuleValidator.DestinationRegistryField, ReplicationRuleValidator.NameField, ReplicationRuleValidator.SourceProjectField, ReplicationRuleValidator.SourceRegistryField];
        Assert.Equal(expected.Order(StringComparer.Ordinal), errors.Keys.Order(StringComparer.Ordinal));
    }
}
