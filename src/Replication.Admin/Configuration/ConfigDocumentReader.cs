using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Configuration;

/// <summary>Our own YAML format into an <see cref="ImportSet"/>: every field is the API's, registries by name.</summary>
public static class ConfigDocumentReader
{
    public static ImportSet Read(string text)
    {
        var document = ConfigYaml.ReadDocument(text);
        var set = new ImportSet();
        if (document.Version != ConfigDocument.CurrentVersion)
        {
            set.Errors["version"] = [$"Version {document.Version} is not known; this app reads version {ConfigDocument.CurrentVersion}."];
        }

        foreach (var (registry, index) in (document.Registries ?? []).Select((r, i) => (r, i)))
        {
            set.Registries.Add(new ImportedRegistry(
                Entry(registry.Name, "registries", index),
                new RegistryEndpointInput
                {
                    Name = registry.Name,
                    Url = registry.Url,
                    Type = registry.Type ?? RegistryTypes.DockerRegistry,
                    Kind = registry.Kind ?? RegistryKinds.Generic,
                    Username = registry.Username,
                    Password = registry.Password,
                    VerifyTls = registry.VerifyTls ?? true,
                    CaCertificate = registry.CaCertificate,
                    Description = registry.Description,
                },
                string.IsNullOrWhiteSpace(registry.PasswordFromEnv) ? null : registry.PasswordFromEnv.Trim()));
        }

        foreach (var (rule, index) in (document.Rules ?? []).Select((r, i) => (r, i)))
        {
            set.Rules.Add(new ImportedRule(
                Entry(rule.Name, "rules", index),
                new ReplicationRuleInput
                {
                    Name = rule.Name,
                    Description = rule.Description,
                    SourceProject = rule.SourceProject,
                    Repositories = new RepositoryFilterInput
                    {
                        Include = rule.Repositories?.Include ?? [],
                        Exclude = rule.Repositories?.Exclude ?? [],
                        Names = rule.Repositories?.Names ?? [],
                    },
                    Tags = new PatternFilterInput
                    {
                        Include = rule.Tags?.Include ?? [],
                        Exclude = rule.Tags?.Exclude ?? [],
                        Semver = rule.Tags?.Semver,
                        Newest = rule.Tags?.Newest,
                    },
                    DestinationProject = rule.DestinationProject,
                    DestinationNaming = new DestinationNamingInput
                    {
                        Flatten = rule.DestinationNaming?.Flatten ?? FlattenModes.None,
                        Prefix = rule.DestinationNaming?.Prefix ?? "",
                    },
                    Trigger = new TriggerInput
                    {
                        Mode = rule.Trigger?.Mode ?? TriggerModes.Manual,
                        Cron = rule.Trigger?.Cron,
                        ReplicateDeletions = rule.Trigger?.ReplicateDeletions ?? false,
                        ReplicateExisting = rule.Trigger?.ReplicateExisting ?? false,
                    },
                    Platforms = rule.Platforms ?? [],
                    BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
                    Override = rule.Override ?? true,
                    IncludeReferrers = rule.IncludeReferrers ?? true,
                    Enabled = rule.Enabled ?? true,
                },
                rule.SourceRegistry,
                rule.DestinationRegistry)
            {
                CarriesEverySetting = true,
            });
        }

        return set;
    }

    private static string Entry(string? name, string list, int index) =>
        string.IsNullOrWhiteSpace(name) ? $"{list}[{index}]" : $"{list}[{name.Trim()}]";
}
