using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;

namespace Replication.Admin.Webhooks;

/// <summary>Whether a notification may be accepted for a registry.</summary>
public enum WebhookAccess
{
    Granted,
    UnknownRegistry,
    NoSecretConfigured,
    Refused,
}

/// <summary>A registry's webhook: the secret (generated, rotated, checked) and the configuration to paste into the source registry.</summary>
public sealed class RegistryWebhooks(IDbContextFactory<ReplicationDbContext> contextFactory, AuditLog audit, TimeProvider clock)
{
    /// <summary>Path of the event receiver of a registry.</summary>
    public static string EventsPath(int registryId) => $"/api/v1/events/{registryId}";

    /// <summary>A new secret for the registry (the previous one stops working); null when the registry does not exist.</summary>
    public async Task<string?> GenerateSecretAsync(int registryId, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.FirstOrDefaultAsync(r => r.Id == registryId, cancellationToken);
        if (registry is null)
        {
            return null;
        }

        var rotated = registry.WebhookSecretHash is not null;
        var secret = WebhookSecrets.Generate();
        registry.WebhookSecretHash = WebhookSecrets.Hash(secret);
        registry.UpdatedAt = clock.GetUtcNow();
        registry.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, "registry.webhook-secret", $"registry '{registry.Name}'", rotated ? "webhook secret rotated" : "webhook secret generated", cancellationToken);
        return secret;
    }

    /// <summary>Checks the bearer secret of a notification in constant time.</summary>
    public async Task<WebhookAccess> CheckAsync(int registryId, string? presentedSecret, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.AsNoTracking().Where(r => r.Id == registryId).Select(r => new { r.WebhookSecretHash }).FirstOrDefaultAsync(cancellationToken);
        if (registry is null)
        {
            return WebhookAccess.UnknownRegistry;
        }

        if (registry.WebhookSecretHash is null)
        {
            return WebhookAccess.NoSecretConfigured;
        }

        return WebhookSecrets.Matches(registry.WebhookSecretHash, presentedSecret) ? WebhookAccess.Granted : WebhookAccess.Refused;
    }

    /// <summary>
    /// The <c>notifications:</c> section for a CNCF distribution <c>config.yml</c> that sends this registry's events to
    /// <paramref name="eventsUrl"/>; <paramref name="secret"/> in clear only when just generated, else a placeholder.
    /// </summary>
    public static string NotificationsYaml(string endpointName, Uri eventsUrl, string? secret)
    {
        ArgumentNullException.ThrowIfNull(eventsUrl);
        return $"""
            notifications:
              events:
                includereferences: true
              endpoints:
                - name: {endpointName}
                  url: {eventsUrl}
                  headers:
                    Authorization: [Bearer {secret ?? "<webhook secret>"}]
                  timeout: 5s
                  threshold: 5
                  backoff: 10s
                  ignore:
                    mediatypes: [application/octet-stream]
                    actions: [pull]
            """;
    }
}
