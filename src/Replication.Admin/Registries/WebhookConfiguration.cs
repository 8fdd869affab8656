using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Registries;

/// <summary>
/// What the registries page's Webhook dialog needs: whether a registry has a secret, a new one (through
/// <see cref="RegistryWebhooks"/>, which audits it), and the configuration to paste into the source registry.
/// </summary>
public sealed class WebhookConfiguration(IDbContextFactory<ReplicationDbContext> contextFactory, RegistryWebhooks webhooks)
{
    /// <summary>Name of the notification endpoint in the registry's configuration.</summary>
    public const string EndpointName = "replication-admin";

    public async Task<bool> HasSecretAsync(int registryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.RegistryEndpoints.AsNoTracking().AnyAsync(r => r.Id == registryId && r.WebhookSecretHash != null, cancellationToken);
    }

    /// <summary>A new secret (the previous one stops working); null when the registry does not exist.</summary>
    public Task<string?> GenerateSecretAsync(int registryId, string actor, CancellationToken cancellationToken = default) =>
        webhooks.GenerateSecretAsync(registryId, actor, cancellationToken);

    /// <summary>Where the registry posts its events: <c>&lt;app base URL&gt;/api/v1/events/{id}</c>.</summary>
    public static Uri EventsUrl(Uri appBaseUrl, int registryId) =>
        new(appBaseUrl, RegistryWebhooks.EventsPath(registryId).TrimStart('/'));

    /// <summary>The <c>notifications:</c> section for a CNCF distribution <c>config.yml</c>; the secret or a placeholder.</summary>
    public static string NotificationsYaml(Uri eventsUrl, string? secret) => RegistryWebhooks.NotificationsYaml(EndpointName, eventsUrl, secret);
}
