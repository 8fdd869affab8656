using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Registries;
using Replication.Engine;
using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Registry;
using ClientEndpoint = Replication.Registry.RegistryEndpoint;
using RegistryEndpoint = Replication.Admin.Registries.RegistryEndpoint;

namespace Replication.Admin.Rules;

/// <summary>
/// Loads saved rules the way the engine needs them: with both registries, passwords decrypted only into the
/// <see cref="ReplicationScope"/> handed to the planner or runner (never into anything that is shown or logged).
/// </summary>
public sealed class ReplicationRuleStore(IDbContextFactory<ReplicationDbContext> contextFactory, RegistrySecrets secrets)
{
    /// <summary>The rule with <see cref="ReplicationRule.SourceRegistry"/> and <see cref="ReplicationRule.DestinationRegistry"/> loaded, untracked; null when it does not exist.</summary>
    public async Task<ReplicationRule?> LoadAsync(int ruleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ReplicationRules.AsNoTracking()
            .Include(r => r.SourceRegistry)
            .Include(r => r.DestinationRegistry)
            .FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken);
    }

    /// <summary>The engine's view of a saved rule; null when the rule does not exist.</summary>
    /// <param name="ruleId">The rule.</param>
    /// <param name="replicated">What the rule pushed earlier (the only thing deletions may remove); empty when unknown.</param>
    /// <param name="cancellationToken">Cancels the database read.</param>
    public async Task<ReplicationScope?> LoadScopeAsync(int ruleId, IReadOnlyCollection<ReplicatedArtifact>? replicated = null, CancellationToken cancellationToken = default)
    {
        var rule = await LoadAsync(ruleId, cancellationToken);
        return rule is null ? null : ToScope(rule, replicated);
    }

    /// <summary>The engine's view of a rule loaded with both registries (see <see cref="LoadAsync"/>).</summary>
    public ReplicationScope ToScope(ReplicationRule rule, IReadOnlyCollection<ReplicatedArtifact>? replicated = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var source = rule.SourceRegistry ?? throw new InvalidOperationException($"Rule '{rule.Name}' was loaded without its source registry.");
        var destination = rule.DestinationRegistry ?? throw new InvalidOperationException($"Rule '{rule.Name}' was loaded without its destination registry.");
        return Describe(rule, ToClientEndpoint(source), ToClientEndpoint(destination), replicated) with
        {
            DestinationKind = destination.Type == RegistryTypes.Harbor ? RegistryKind.Harbor : RegistryKind.DockerRegistry,
        };
    }

    /// <summary>
    /// The rule's scope for deciding whether a registry event concerns it (<see cref="ReplicationPlanner.Concerns"/>),
    /// from the rule row alone: matching reads the projects, filter and options, never a registry, so none is loaded and
    /// no password decrypted. Its endpoints only name the saved registries on the reserved <c>.invalid</c> domain, and its
    /// record is empty (deletions are looked up by what they name); never plan or run with it.
    /// </summary>
    public static ReplicationScope ToEventScope(ReplicationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Describe(rule, Unaddressed(rule.SourceRegistryId), Unaddressed(rule.DestinationRegistryId), replicated: null);
    }

    /// <summary>The client-side endpoint of a saved registry, password decrypted.</summary>
    public ClientEndpoint ToClientEndpoint(RegistryEndpoint registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new ClientEndpoint
        {
            BaseUrl = new Uri(registry.Url),
            Credential = registry.Username is { Length: > 0 } username
                ? RegistryCredential.Basic(username, registry.ProtectedPassword is null ? "" : secrets.UnprotectPassword(registry.ProtectedPassword))
                : RegistryCredential.Anonymous,
            VerifyTls = registry.VerifyTls,
            CaCertificatePem = registry.CaCertificate,
            Product = RegistryKinds.ClientProduct(registry.Kind),
        };
    }

    private static ReplicationScope Describe(ReplicationRule rule, ClientEndpoint source, ClientEndpoint destination, IReadOnlyCollection<ReplicatedArtifact>? replicated) => new()
    {
        Source = source,
        SourceProject = rule.SourceProject,
        Destination = destination,
        DestinationProject = rule.DestinationProject,
        Naming = ToNaming(rule.FlattenLevels, rule.DestinationPrefix),
        BandwidthLimitKiBps = rule.BandwidthLimitKiBps,
        Platforms = [.. rule.Platforms],
        Filter = ToFilter(rule),
        Override = rule.Override,
        IncludeReferrers = rule.IncludeReferrers,
        ReplicateDeletions = rule.ReplicateDeletions,
        Replicated = replicated ?? [],
    };

    private static ClientEndpoint Unaddressed(int registryId) => new() { BaseUrl = new Uri($"https://registry-{registryId}.invalid/") };

    /// <summary>The rule's flattening and prefix as the engine's naming (the same instance as the default when neither is set).</summary>
    public static DestinationNaming ToNaming(int flattenLevels, string prefix) =>
        flattenLevels == 0 && string.IsNullOrEmpty(prefix) ? DestinationNaming.KeepPath : new DestinationNaming { FlattenLevels = flattenLevels, Prefix = prefix };

    /// <summary>The rule's repository names and patterns and tag patterns as the engine's filter (events are matched with it too).</summary>
    public static ImageFilter ToFilter(ReplicationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new ImageFilter
        {
            IncludeRepositories = [.. rule.IncludeRepositories],
            ExcludeRepositories = [.. rule.ExcludeRepositories],
            ExplicitRepositories = [.. rule.RepositoryNames],
            IncludeTags = [.. rule.IncludeTags],
            ExcludeTags = [.. rule.ExcludeTags],
            SemverRange = rule.SemverRange,
            Newest = rule.NewestTags,
        };
    }
}
