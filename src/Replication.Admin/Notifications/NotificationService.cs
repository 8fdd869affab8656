using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Notifications;

/// <summary>A channel as the page and API show it: the secret never, only whether one is kept.</summary>
public sealed record NotificationChannelView(int Id, string Name, string Kind, string Target, bool HasSecret, IReadOnlyList<string> Events, IReadOnlyList<int> RuleIds)
{
    public static NotificationChannelView From(NotificationChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return new(channel.Id, channel.Name, channel.Kind, channel.Target, channel.ProtectedSecret is not null, channel.EventList, channel.RuleIdList);
    }
}

/// <summary>Saved channel (with a webhook secret generated for it, shown once), or errors by field, or not found.</summary>
public sealed record NotificationChannelSaveResult(NotificationChannelView? Channel, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false, string? GeneratedSecret = null)
{
    public bool Succeeded => Channel is not null;
}

/// <summary>The answer to "Send test": whether it arrived, and what was answered or what went wrong.</summary>
public sealed record NotificationTestResult(bool Ok, string Message);

/// <summary>Channels (CRUD, test), the delivery log, and queuing alerts for delivery. Each call has its own context.</summary>
public sealed class NotificationService(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IDataProtectionProvider protection,
    NotificationSender sender,
    IBackgroundJobClient jobs,
    AuditLog audit,
    TimeProvider clock)
{
    private readonly IDataProtector secrets = protection.CreateProtector("Replication.Admin.NotificationChannel.Secret.v1");

    public async Task<IReadOnlyList<NotificationChannelView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return (await db.NotificationChannels.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken)).Select(NotificationChannelView.From).ToList();
    }

    public async Task<NotificationChannelView?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return channel is null ? null : NotificationChannelView.From(channel);
    }

    public async Task<NotificationChannelSaveResult> SaveAsync(int? id, NotificationChannelInput input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        NotificationChannel? channel = null;
        if (id is { } existing)
        {
            channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == existing, cancellationToken);
            if (channel is null)
            {
                return new(null, new Dictionary<string, string[]>(), NotFound: true);
            }
        }

        var ruleIds = (await db.ReplicationRules.AsNoTracking().Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        var keepsSecret = channel?.ProtectedSecret is not null && channel.Kind == input.Kind;
        var errors = NotificationChannelValidator.Validate(input, ruleIds, keepsSecret);
        var name = input.Name?.Trim() ?? "";
        if (errors.Count == 0 && await db.NotificationChannels.AnyAsync(c => c.Name == name && c.Id != (id ?? 0), cancellationToken))
        {
            errors["name"] = [$"A channel named '{name}' already exists. Choose another name."];
        }

        if (errors.Count > 0)
        {
            return new(null, errors);
        }

        var now = clock.GetUtcNow();
        channel ??= db.NotificationChannels.Add(new NotificationChannel { Name = name, Kind = input.Kind!, Target = "", CreatedAt = now, CreatedBy = actor }).Entity;
        string? generated = null;
        channel.Name = name;
        channel.Events = string.Join(",", input.Events!.Distinct());
        channel.RuleIds = string.Join(",", (input.RuleIds ?? []).Distinct().Order());
        switch (input.Kind)
        {
            case ChannelKinds.Webhook:
                channel.Target = input.Target!.Trim();
                if (!string.IsNullOrEmpty(input.Secret))
                {
                    channel.ProtectedSecret = secrets.Protect(input.Secret);
                }
                else if (!keepsSecret)
                {
                    generated = WebhookSecrets.Generate();
                    channel.ProtectedSecret = secrets.Protect(generated);
                }

                break;
            case ChannelKinds.Slack:
                // The URL's path is the credential: kept encrypted, shown without it.
                if (!string.IsNullOrEmpty(input.Target))
                {
                    channel.ProtectedSecret = secrets.Protect(input.Target.Trim());
                    var uri = new Uri(input.Target.Trim());
                    channel.Target = $"{uri.Scheme}://{uri.Authority}/…";
                }

                break;
            default:
                channel.Target = string.Join(", ", NotificationChannelValidator.SplitAddresses(input.Target!));
                channel.ProtectedSecret = null;
                break;
        }

        channel.Kind = input.Kind!;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, id is null ? AuditActions.NotificationChannelCreate : AuditActions.NotificationChannelUpdate, $"notification channel '{channel.Name}'",
            $"kind={channel.Kind}; target={channel.Target}; events={channel.Events}; rules={(channel.RuleIds.Length == 0 ? "all" : channel.RuleIds)}", cancellationToken);
        return new(NotificationChannelView.From(channel), errors, GeneratedSecret: generated);
    }

    public async Task<bool> DeleteAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
        {
            return false;
        }

        db.NotificationChannels.Remove(channel);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, AuditActions.NotificationChannelDelete, $"notification channel '{channel.Name}'", $"kind={channel.Kind}", cancellationToken);
        return true;
    }

    /// <summary>Sends a test alert now (not queued), so the answer carries the cause of a failure; logged like any delivery.</summary>
    public async Task<NotificationTestResult?> SendTestAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
        {
            return null;
        }

        var alert = AlertComposer.Test(channel.Name, actor, clock.GetUtcNow());
        var delivery = NewDelivery(channel.Id, alert);
        db.NotificationDeliveries.Add(delivery);
        NotificationTestResult result;
        delivery.Attempts = 1;
        try
        {
            var answer = await sender.SendAsync(AddressOf(channel), alert, cancellationToken);
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = clock.GetUtcNow();
            result = new(true, $"Delivered: {answer}.");
        }
        catch (NotificationDeliveryException exception)
        {
            delivery.Status = DeliveryStatus.Failed;
            delivery.LastError = Truncate(exception.Message);
            result = new(false, exception.Message);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await audit.RecordAsync(actor, AuditActions.NotificationTest, $"notification channel '{channel.Name}'", result.Ok ? "delivered" : $"failed: {result.Message}", CancellationToken.None);
        return result;
    }

    /// <summary>Every rule's id and name, for choosing which rules a channel hears of.</summary>
    public async Task<IReadOnlyList<KeyValuePair<int, string>>> RuleNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking().OrderBy(r => r.Name).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
        return rules.Select(r => new KeyValuePair<int, string>(r.Id, r.Name)).ToList();
    }

    /// <summary>The delivery log, newest first, with each channel's name.</summary>
    public async Task<IReadOnlyList<(NotificationDelivery Delivery, string Channel)>> RecentDeliveriesAsync(int count = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.NotificationDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(count)
            .Join(db.NotificationChannels.AsNoTracking(), d => d.ChannelId, c => c.Id, (d, c) => new { d, c.Name })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.d, r.Name)).OrderByDescending(r => r.d.Id).ToList();
    }

    /// <summary>Queues <paramref name="alert"/> for every channel subscribed to it (for <paramref name="ruleIds"/>, when given); returns how many.</summary>
    public async Task<int> QueueAsync(Alert alert, IReadOnlyCollection<int>? ruleIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var channels = (await db.NotificationChannels.AsNoTracking().ToListAsync(cancellationToken))
            .Where(c => c.EventList.Contains(alert.Event))
            .Where(c => c.RuleIds.Length == 0 || ruleIds is null || c.RuleIdList.Any(ruleIds.Contains))
            .ToList();
        var deliveries = channels.Select(c => NewDelivery(c.Id, alert)).ToList();
        db.NotificationDeliveries.AddRange(deliveries);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var delivery in deliveries)
        {
            jobs.Enqueue<NotificationDeliveryJob>(job => job.DeliverAsync(delivery.Id, CancellationToken.None));
        }

        return deliveries.Count;
    }

    internal ChannelAddress AddressOf(NotificationChannel channel) =>
        new(channel.Kind, channel.Target, channel.ProtectedSecret is null ? null : secrets.Unprotect(channel.ProtectedSecret));

    internal NotificationDelivery NewDelivery(int channelId, Alert alert) => new()
    {
        ChannelId = channelId,
        Event = alert.Event,
        Subject = alert.Subject.Length > 500 ? alert.Subject[..500] : alert.Subject,
        Payload = alert.Json,
        CreatedAt = clock.GetUtcNow(),
    };

    internal static string Truncate(string text) => text.Length > 2000 ? text[..2000] : text;
}
