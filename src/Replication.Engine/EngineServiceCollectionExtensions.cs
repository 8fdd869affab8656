using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Engine.Projects;
using Replication.Registry;

namespace Replication.Engine;

/// <summary>Registration of the engine for the web app.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReplicationPlanner"/>, <see cref="ReplicationRunner"/> and <see cref="IProjectProvisioner"/>
    /// (Harbor) as singletons, with <see cref="ReplicationOptions"/>. Needs <see cref="IRegistryClientFactory"/>
    /// (<c>AddRegistryClients</c>).
    /// </summary>
    public static IServiceCollection AddReplicationEngine(this IServiceCollection services, Action<ReplicationOptions>? configure = null)
    {
        var options = services.AddOptions<ReplicationOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o => o.MaxParallelArtifacts >= 1 && o.MaxParallelBlobs >= 1 && o.MaxParallelListings >= 1 && o.MaxParallelChecks >= 1 && o.MaxTaskAttempts >= 1,
            "Replication limits must be at least 1.");
        services.TryAddSingleton<IProjectProvisioner, HarborProjectProvisioner>();
        services.TryAddSingleton(sp => new ReplicationPlanner(
            sp.GetRequiredService<IRegistryClientFactory>(),
            sp.GetRequiredService<IOptions<ReplicationOptions>>().Value));
        services.TryAddSingleton(sp => new ReplicationRunner(
            sp.GetRequiredService<IRegistryClientFactory>(),
            sp.GetRequiredService<IOptions<ReplicationOptions>>().Value,
            sp.GetRequiredService<IProjectProvisioner>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
