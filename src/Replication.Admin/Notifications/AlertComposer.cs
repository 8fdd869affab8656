using System.Globalization;
using System.Text.Json;
using Replication.Admin.Executions;

namespace Replication.Admin.Notifications;

/// <summary>Words and JSON of each alert. The JSON is what webhooks receive; Slack and e-mail get its <c>text</c>.</summary>
public static class AlertComposer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Alert Execution(string alertEvent, ExecutionOutcome outcome, string ruleName, string? portalUrl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var subject = alertEvent switch
        {
            NotificationEvents.ExecutionFailed => $"Replication rule '{ruleName}' failed",
            NotificationEvents.ExecutionPartiallyFailed => $"Replication rule '{ruleName}' partially failed: {outcome.Failed} of {outcome.Failed + outcome.Succeeded + outcome.UpToDate} failed",
            _ => $"Replication rule '{ruleName}' recovered: it succeeded after a failure",
        };
        var link = Link(portalUrl, $"/executions/{outcome.ExecutionId}");
        var lines = new List<string>
        {
            subject + ".",
            $"Execution {outcome.ExecutionId} ({outcome.Trigger.ToApi()}, started by {outcome.TriggeredBy}): {outcome.Succeeded} succeeded, {outcome.UpToDate} up to date, {outcome.Failed} failed.",
        };
        if (outcome.Error is { Length: > 0 } error)
        {
            lines.Add("Error: " + error);
        }

        lines.AddRange(outcome.TaskErrors.Where(e => e.Length > 0).Distinct().Take(5).Select(e => "Task error: " + e));
        if (link is not null)
        {
            lines.Add(link);
        }

        var text = string.Join("\n", lines);
        return new Alert(alertEvent, subject, text, JsonSerializer.Serialize(new
        {
            @event = alertEvent,
            occurredAt = now,
            summary = subject,
            text,
            rule = new { id = outcome.RuleId, name = ruleName },
            execution = new
            {
                id = outcome.ExecutionId,
                status = outcome.Status.ToApi(),
                trigger = outcome.Trigger.ToApi(),
                triggeredBy = outcome.TriggeredBy,
                succeeded = outcome.Succeeded,
                failed = outcome.Failed,
                upToDate = outcome.UpToDate,
                bytesTransferred = outcome.BytesTransferred,
                error = outcome.Error,
                url = link,
            },
        }, Json));
    }

    public static Alert RegistryUnhealthy(int registryId, string registryName, string message, string? portalUrl, DateTimeOffset now)
    {
        var subject = $"Registry '{registryName}' is unhealthy";
        var link = Link(portalUrl, "/registries");
        var text = $"{subject}.\n{message}" + (link is null ? "" : "\n" + link);
        return new Alert(NotificationEvents.RegistryUnhealthy, subject, text, JsonSerializer.Serialize(new
        {
            @event = NotificationEvents.RegistryUnhealthy,
            occurredAt = now,
            summary = subject,
            text,
            registry = new { id = registryId, name = registryName, status = "unhealthy", message },
        }, Json));
    }

    public static Alert Test(string channelName, string actor, DateTimeOffset now)
    {
        var subject = $"Test alert from Replication Admin to '{channelName}'";
        var text = $"{subject}, sent by {actor} at {now.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}. Alerts for this channel will arrive like this one.";
        return new Alert(NotificationEvents.Test, subject, text, JsonSerializer.Serialize(new { @event = NotificationEvents.Test, occurredAt = now, summary = subject, text }, Json));
    }

    /// <summary>The alert a delivery row was queued with.</summary>
    public static Alert FromPayload(NotificationDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        using var document = JsonDocument.Parse(delivery.Payload);
        var text = document.RootElement.TryGetProperty("text", out var t) ? t.GetString() ?? delivery.Subject : delivery.Subject;
        return new Alert(delivery.Event, delivery.Subject, text, delivery.Payload);
    }

    private static string? Link(string? portalUrl, string path) =>
        string.IsNullOrWhiteSpace(portalUrl) ? null : portalUrl.TrimEnd('/') + path;
}
