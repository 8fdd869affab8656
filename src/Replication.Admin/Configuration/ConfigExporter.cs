using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Configuration;

/// <summary>Writes every registry (never a password) and rule as one YAML document that <see cref="ConfigImporter"/> reads back unchanged.</summary>
public sealed class ConfigExporter(RegistryService registries, ReplicationRuleService rules)
{
    public const string FileName = "replication-config.yaml";

    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        var document = new ConfigDocument
        {
            Registries = [.. (await registries.ListAsync(cancellationToken)).Select(ToDocument)],
            Rules = [.. (await rules.ListAsync(cancellationToken)).Select(ToDocument)],
        };
        return ConfigYaml.Write(document);
    }

    private static RegistryDocument ToDocument(RegistryView registry) => new()
    {
        Name = registry.Name,
        Url = registry.Url,
        Type = registry.Type,
        Kind = registry.Kind,
        Username = registry.Username,
        VerifyTls = registry.VerifyTls,
        CaCertificate = registry.CaCertificate,
        Description = NullIfEmpty(registry.Description),
    };

    private static RuleDocument ToDocument(ReplicationRuleView rule) => new()
    {
        Name = rule.Name,
        Description = NullIfEmpty(rule.Description),
        SourceRegistry = rule.SourceRegistryName,
        SourceProject = rule.SourceProject,
        Repositories = new RepositoriesDocument { Include = [.. rule.IncludeRepositories], Exclude = [.. rule.ExcludeRepositories], Names = [.. rule.RepositoryNames] },
        Tags = new TagsDocument { Include = [.. rule.IncludeTags], Exclude = [.. rule.ExcludeTags], Semver = rule.SemverRange, Newest = rule.NewestTags },
        DestinationRegistry = rule.DestinationRegistryName,
        DestinationProject = NullIfEmpty(rule.DestinationProject),
        DestinationNaming = rule.FlattenLevels == 0 && rule.DestinationPrefix.Length == 0
            ? null
            : new DestinationNamingDocument { Flatten = FlattenModes.ToText(rule.FlattenLevels), Prefix = NullIfEmpty(rule.DestinationPrefix) },
        Trigger = new TriggerDocument
        {
            Mode = TriggerModes.ToText(rule.TriggerMode),
            Cron = rule.Cron,
            ReplicateDeletions = rule.ReplicateDeletions,
            ReplicateExisting = rule.ReplicateExisting,
        },
        Platforms = [.. rule.Platforms],
        BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
        Override = rule.Override,
        IncludeReferrers = rule.IncludeReferrers,
        Enabled = rule.Enabled,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
