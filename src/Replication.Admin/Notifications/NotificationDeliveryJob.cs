using Hangfire;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;

namespace Replication.Admin.Notifications;

/// <summary>
/// Delivers one queued alert. A failure is recorded in the delivery log and thrown, so Hangfire retries it with growing
/// delays; after the last attempt the delivery is marked failed for good.
/// </summary>
public sealed class NotificationDeliveryJob(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    NotificationService notifications,
    NotificationSender sender,
    TimeProvider clock,
    ILogger<NotificationDeliveryJob> logger)
{
    /// <summary>Retries after the first attempt, and their delays: about two hours in all.</summary>
    public static readonly int[] RetryDelaysSeconds = [10, 60, 300, 1200, 3600];

    public static int MaxAttempts => RetryDelaysSeconds.Length + 1;

    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [10, 60, 300, 1200, 3600], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task DeliverAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.NotificationDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null || delivery.Status is DeliveryStatus.Delivered or DeliveryStatus.Failed)
        {
            return;
        }

        var channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == delivery.ChannelId, cancellationToken);
        if (channel is null)
        {
            return;
        }

        delivery.Attempts++;
        try
        {
            await sender.SendAsync(notifications.AddressOf(channel), AlertComposer.FromPayload(delivery), cancellationToken);
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = clock.GetUtcNow();
            delivery.LastError = null;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (NotificationDeliveryException exception)
        {
            var final = delivery.Attempts >= MaxAttempts;
            delivery.Status = final ? DeliveryStatus.Failed : DeliveryStatus.Retrying;
            delivery.LastError = NotificationService.Truncate(exception.Message);
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogWarning("Alert {DeliveryId} to channel {Channel} failed (attempt {Attempt} of {Max}): {Cause}", delivery.Id, channel.Name, delivery.Attempts, MaxAttempts, exception.Message);
            if (!final)
            {
                throw;
            }
        }
    }
}
