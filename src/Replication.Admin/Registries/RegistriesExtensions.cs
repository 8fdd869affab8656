using Replication.Registry;

namespace Replication.Admin.Registries;

public static class RegistriesExtensions
{
    /// <summary>
    /// Registry endpoints: the registry client (bound to <c>Replication:Registry</c>), secrets at rest, the service pages
    /// and API share, and the set-up of a registry's webhook.
    /// </summary>
    public static WebApplicationBuilder AddReplicationRegistries(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRegistryClients();
        builder.Services.AddSingleton<RegistrySecrets>();
        builder.Services.AddScoped<RegistryService>();
        builder.Services.AddSingleton<WebhookConfiguration>();
        return builder;
    }
}
