using Replication.Registry;

namespace Replication.Admin.Registries;

public static class RegistriesExtensions
{
    /// <summary>Registry endpoints: the registry client (bound to <c>Replication:Registry</c>), secrets at rest, the service pages and API share.</summary>
    public static WebApplicationBuilder AddReplicationRegistries(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRegistryClients();
        builder.Services.AddSingleton<RegistrySecrets>();
        builder.Services.AddScoped<RegistryService>();
        return builder;
    }
}
