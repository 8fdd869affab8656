// Request bodies are written inline as the API reads them.
#pragma warning disable CA1861
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Notifications;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Notifications;

/// <summary>The app with an SMTP server of its own (netDumbster on a loopback port) for e-mail channels.</summary>
public sealed class AlertsAppFactory : AdminAppFactory
{
    public AlertsAppFactory()
    {
        SmtpPort = LocalReceiver.FreePort();
        Smtp = SimpleSmtpServer.Start(SmtpPort);
    }

    public int SmtpPort { get; }

    public SimpleSmtpServer Smtp { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Notifications:Smtp:Port", SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Notifications:Smtp:Security", "None");
        builder.UseSetting("Notifications:Smtp:From", "alerts@replication.test");
        builder.UseSetting("Notifications:PortalUrl", "https://replication.test");
        builder.UseSetting("Notifications:Timeout", "00:00:05");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Smtp.Stop();
        }
    }
}

/// <summary>Alert channels: CRUD with clear errors, secrets encrypted, Send test to a real local receiver and SMTP server, and the alerts an outcome raises.</summary>
public sealed class NotificationChannelTests(AlertsAppFactory app) : IClassFixture<AlertsAppFactory>
{
    [Fact]
    public async Task Send_test_to_a_webhook_delivers_json_signed_with_the_secret_shown_once()
    {
        using var receiver = new LocalReceiver();
        using var admin = app.CreateBasicClient();
        var channel = await CreateAsync(admin, new { name = Name("hook"), kind = "webhook", target = receiver.Url, events = new[] { "executionFailed" }, ruleIds = Array.Empty<int>() });
        var secret = channel.GetProperty("secret").GetString()!;
        Assert.True(secret.Length >= 32);

        var result = await TestAsync(admin, channel);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetProperty("message").GetString());
        var request = await receiver.NextAsync();
        Assert.Equal("test", request.Headers["X-Replication-Event"]);
        Assert.Equal(NotificationSender.Sign(secret, request.Body), request.Headers["X-Replication-Signature"]);
        Assert.Equal("test", JsonDocument.Parse(request.Body).RootElement.GetProperty("event").GetString());

        // Shown once: never again, and not in the database in clear.
        using var get = await admin.GetAsync($"/api/v1/notification-channels/{channel.GetProperty("id").GetInt32()}");
        Assert.DoesNotContain(secret, await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        var row = await db.NotificationChannels.SingleAsync(c => c.Id == channel.GetProperty("id").GetInt32());
        Assert.DoesNotContain(secret, row.ProtectedSecret!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slack_url_is_kept_encrypted_and_the_test_posts_its_text()
    {
        using var receiver = new LocalReceiver();
        using var admin = app.CreateBasicClient();
        var slackUrl = receiver.Url + "/T000/B000/XXXXSECRET";
        var channel = await CreateAsync(admin, new { name = Name("slack"), kind = "slack", target = slackUrl, events = new[] { "executionFailed", "executionRecovered" }, ruleIds = Array.Empty<int>() });
        Assert.DoesNotContain("XXXXSECRET", channel.GetProperty("target").GetString()!, StringComparison.Ordinal);

        var result = await TestAsync(admin, channel);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetProperty("message").GetString());
        var request = await receiver.NextAsync();
        Assert.EndsWith("/XXXXSECRET", request.Path, StringComparison.Ordinal);
        Assert.Contains("Test alert from Replication Admin", JsonDocument.Parse(request.Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        var row = await db.NotificationChannels.SingleAsync(c => c.Id == channel.GetProperty("id").GetInt32());
        Assert.DoesNotContain("XXXXSECRET", row.ProtectedSecret + row.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_test_by_email_arrives_at_the_smtp_server_with_subject_and_text()
    {
        using var admin = app.CreateBasicClient();
        var channel = await CreateAsync(admin, new { name = Name("mail"), kind = "email", target = "ops@example.com, oncall@example.com", events = new[] { "executionFailed" }, ruleIds = Array.Empty<int>() });
        var before = app.Smtp.ReceivedEmailCount;

        var result = await TestAsync(admin, channel);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetProperty("message").GetString());
        var mail = app.Smtp.ReceivedEmail.Skip(before).Single();
        Assert.Contains("Test alert from Replication Admin", mail.Headers["Subject"], StringComparison.Ordinal);
        Assert.Contains(mail.ToAddresses, a => a.Address == "oncall@example.com");
        Assert.Contains("Alerts for this channel will arrive like this one", mail.MessageParts[0].BodyData, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_webhook_fails_the_test_with_the_cause_and_the_log_shows_it()
    {
        using var admin = app.CreateBasicClient();
        var channel = await CreateAsync(admin, new { name = Name("down"), kind = "webhook", target = $"http://127.0.0.1:{LocalReceiver.FreePort()}/hook", events = new[] { "executionFailed" }, ruleIds = Array.Empty<int>() });

        var result = await TestAsync(admin, channel);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Matches("(?i)unreachable|refused", result.GetProperty("message").GetString()!);
        var log = await app.Services.GetRequiredService<NotificationService>().RecentDeliveriesAsync();
        Assert.Contains(log, d => d.Channel == channel.GetProperty("name").GetString() && d.Delivery.Status == DeliveryStatus.Failed && d.Delivery.LastError!.Contains("nreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_smtp_server_fails_the_test_with_the_cause()
    {
        using var noSmtp = new UnreachableSmtpAppFactory();
        using var admin = noSmtp.CreateBasicClient();
        var channel = await CreateAsync(admin, new { name = Name("nomail"), kind = "email", target = "ops@example.com", events = new[] { "executionFailed" }, ruleIds = Array.Empty<int>() });

        var result = await TestAsync(admin, channel);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains("mail server", result.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_saves_nothing()
    {
        using var admin = app.CreateBasicClient();

        using var response = await admin.PostAsJsonAsync("/api/v1/notification-channels", new { name = "", kind = "pager", target = "nope", events = new[] { "everything" }, ruleIds = new[] { 99999 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "kind", "events", "ruleIds" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        using var email = await admin.PostAsJsonAsync("/api/v1/notification-channels", new { name = Name("bad"), kind = "email", target = "not an address", events = new[] { "executionFailed" } });
        Assert.True((await email.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("target", out _));
        Assert.DoesNotContain(await app.Services.GetRequiredService<NotificationService>().ListAsync(), c => c.Name.StartsWith("bad-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_execution_alerts_subscribed_channels_and_a_later_success_says_recovered()
    {
        using var receiver = new LocalReceiver();
        using var admin = app.CreateBasicClient();
        await CreateAsync(admin, new { name = Name("outcomes"), kind = "webhook", target = receiver.Url, events = new[] { "executionFailed", "executionRecovered" }, ruleIds = Array.Empty<int>() });
        var dispatcher = app.Services.GetRequiredService<NotificationDispatcher>();
        var ruleId = Random.Shared.Next(100_000, 900_000);
        var failed = await SaveExecutionAsync(ruleId, ExecutionStatus.Failed, "registry unreachable");

        await dispatcher.OnOutcomeAsync(ExecutionOutcome.Of(failed, []), CancellationToken.None);

        var alert = JsonDocument.Parse((await receiver.NextAsync()).Body).RootElement;
        Assert.Equal("executionFailed", alert.GetProperty("event").GetString());
        Assert.Equal(failed.Id, alert.GetProperty("execution").GetProperty("id").GetInt64());
        Assert.Equal("registry unreachable", alert.GetProperty("execution").GetProperty("error").GetString());
        Assert.Equal($"https://replication.test/executions/{failed.Id}", alert.GetProperty("execution").GetProperty("url").GetString());

        var succeeded = await SaveExecutionAsync(ruleId, ExecutionStatus.Succeeded, null);
        await dispatcher.OnOutcomeAsync(ExecutionOutcome.Of(succeeded, []), CancellationToken.None);

        var recovered = JsonDocument.Parse((await receiver.NextAsync()).Body).RootElement;
        Assert.Equal("executionRecovered", recovered.GetProperty("event").GetString());
        Assert.Equal(succeeded.Id, recovered.GetProperty("execution").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_channel_limited_to_other_rules_hears_nothing()
    {
        using var receiver = new LocalReceiver();
        using var admin = app.CreateBasicClient();
        var notifications = app.Services.GetRequiredService<NotificationService>();
        var ruleId = Random.Shared.Next(100_000, 900_000);
        var failed = await SaveExecutionAsync(ruleId, ExecutionStatus.Failed, "boom");
        await CreateAsync(admin, new { name = Name("all"), kind = "webhook", target = receiver.Url, events = new[] { "executionFailed" }, ruleIds = Array.Empty<int>() });

        var queued = await notifications.QueueAsync(AlertComposer.Execution(NotificationEvents.ExecutionFailed, ExecutionOutcome.Of(failed, []), "r", null, DateTimeOffset.UtcNow), [ruleId + 1]);
        var forRule = (await notifications.ListAsync()).Count(c => c.Events.Contains(NotificationEvents.ExecutionFailed) && c.RuleIds.Count == 0);

        // Only channels for every rule (none limited to rule+1 exist): the queue counts exactly those.
        Assert.Equal(forRule, queued);
    }

    private async Task<Execution> SaveExecutionAsync(int ruleId, ExecutionStatus status, string? error)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        // An execution of a rule that need not exist: the alert is about the outcome, not the rule's settings.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        var now = DateTimeOffset.UtcNow;
        var execution = Execution.Queue(ruleId, ExecutionTrigger.Manual, "admin", now);
        execution.Status = status;
        execution.StartedAt = now;
        execution.FinishedAt = now.AddSeconds(3);
        execution.Error = error;
        execution.Failed = status == ExecutionStatus.Failed ? 1 : 0;
        execution.Succeeded = status == ExecutionStatus.Succeeded ? 1 : 0;
        db.Executions.Add(execution);
        await db.SaveChangesAsync();
        return execution;
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private static async Task<JsonElement> CreateAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/notification-channels", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json;
    }

    private static async Task<JsonElement> TestAsync(HttpClient admin, JsonElement channel)
    {
        using var response = await admin.PostAsync($"/api/v1/notification-channels/{channel.GetProperty("id").GetInt32()}/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed class UnreachableSmtpAppFactory : AdminAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Notifications:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Notifications:Smtp:Port", LocalReceiver.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Notifications:Smtp:Security", "None");
        }
    }
}
