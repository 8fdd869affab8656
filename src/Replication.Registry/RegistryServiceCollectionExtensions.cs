using Microsoft.Extensions.DependencyInjection;

namespace Replication.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IRegistryClientFactory"/> (singleton) and its options.</summary>
    public static IServiceCollection AddRegistryClients(this IServiceCollection services, Action<RegistryClientOptions>? configure = null)
    {
        var options = services.AddOptions<RegistryClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The factory itself is implemented on the registry branch; this registration is the contract.
        services.AddSingleton<IRegistryClientFactory>(_ => throw new NotSupportedException("The registry client is not built yet."));
        return services;
    }
}
