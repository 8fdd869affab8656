using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Replication.Admin.Notifications;

/// <summary>Where alerts go, which events and which rules. Secrets (a webhook's HMAC key, a Slack URL) are encrypted at rest.</summary>
public sealed class NotificationChannel
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>One of <see cref="ChannelKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>What the page and API show: the webhook URL, the Slack URL with its secret path hidden, the e-mail recipients.</summary>
    public required string Target { get; set; }

    /// <summary>Encrypted: a webhook's HMAC key, or a Slack incoming webhook's URL (its path is the credential).</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>Comma-separated <see cref="NotificationEvents"/>.</summary>
    public string Events { get; set; } = "";

    /// <summary>Comma-separated rule ids; empty means every rule.</summary>
    public string RuleIds { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<int> RuleIdList => RuleIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    public override string ToString() => $"NotificationChannel {{ Id = {Id}, Name = {Name}, Kind = {Kind} }}";
}

/// <summary>One alert to one channel, and what became of it: the page's delivery log.</summary>
public sealed class NotificationDelivery
{
    public long Id { get; set; }

    public int ChannelId { get; set; }

    public string Event { get; set; } = "";

    /// <summary>The one-line summary the alert says.</summary>
    public string Subject { get; set; } = "";

    /// <summary>The JSON document sent to webhooks (the other kinds are rendered from it).</summary>
    public string Payload { get; set; } = "";

    public DeliveryStatus Status { get; set; } = DeliveryStatus.Pending;

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}

public enum DeliveryStatus
{
    Pending,
    Retrying,
    Delivered,
    Failed,
}

public static class ChannelKinds
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Email = "email";

    public static IReadOnlyList<string> All { get; } = [Webhook, Slack, Email];
}

public static class NotificationEvents
{
    public const string ExecutionFailed = "executionFailed";
    public const string ExecutionPartiallyFailed = "executionPartiallyFailed";
    public const string ExecutionRecovered = "executionRecovered";
    public const string RegistryUnhealthy = "registryUnhealthy";

    /// <summary>Only sent by "Send test".</summary>
    public const string Test = "test";

    public static IReadOnlyList<string> All { get; } = [ExecutionFailed, ExecutionPartiallyFailed, ExecutionRecovered, RegistryUnhealthy];

    public static string DisplayName(string value) => value switch
    {
        ExecutionFailed => "Execution failed",
        ExecutionPartiallyFailed => "Execution partially failed",
        ExecutionRecovered => "Recovered (succeeded after a failure)",
        RegistryUnhealthy => "Registry became unhealthy",
        _ => value,
    };
}

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.HasIndex(c => c.Name).IsUnique();
        builder.Property(c => c.Kind).HasMaxLength(16);
        builder.Property(c => c.Target).HasMaxLength(2000);
        builder.Property(c => c.Events).HasMaxLength(200);
        builder.Property(c => c.RuleIds).HasMaxLength(2000);
        builder.Property(c => c.CreatedBy).HasMaxLength(256);
        builder.Ignore(c => c.EventList);
        builder.Ignore(c => c.RuleIdList);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.HasOne<NotificationChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => d.CreatedAt);
        builder.Property(d => d.Event).HasMaxLength(40);
        builder.Property(d => d.Subject).HasMaxLength(500);
        builder.Property(d => d.LastError).HasMaxLength(2000);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
    }
}
