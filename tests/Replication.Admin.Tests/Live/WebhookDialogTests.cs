using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Replication.Admin.Components.Pages.Registries;
using Replication.Admin.Registries;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Tests.Live;

public sealed class WebhookDialogTests : LiveComponentTestBase
{
    [Fact]
    public async Task Generating_shows_the_secret_once_with_the_notifications_configuration()
    {
        var registry = (await Registries.CreateAsync(new RegistryEndpointInput { Name = "source", Url = "http://127.0.0.1:5000" }, "alice")).Registry!;
        var (host, _) = await ShowDialogAsync(new DialogParameters<WebhookDialog> { { d => d.Registry, registry } });
        host.WaitForAssertion(() => Assert.Contains("Not configured", host.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        var placeholder = host.Find("[data-testid='notifications-yaml']").TextContent;
        Assert.Contains("Authorization: [Bearer <webhook secret>]", placeholder, StringComparison.Ordinal);

        Button(host, "Generate secret").Click();

        host.WaitForAssertion(() => Assert.NotEmpty(host.FindAll("[data-testid='webhook-secret']")));
        var secret = host.Find("[data-testid='webhook-secret']").TextContent.Trim();
        Assert.True(secret.Length >= 32, secret);
        var yaml = host.Find("[data-testid='notifications-yaml']").TextContent;
        Assert.Contains($"url: http://localhost/api/v1/events/{registry.Id}", yaml, StringComparison.Ordinal);
        Assert.Contains($"Authorization: [Bearer {secret}]", yaml, StringComparison.Ordinal);
        Assert.Contains("application/octet-stream", yaml, StringComparison.Ordinal);
        Assert.Contains("timeout:", yaml, StringComparison.Ordinal);
        Assert.Contains("threshold:", yaml, StringComparison.Ordinal);
        Assert.Contains("backoff:", yaml, StringComparison.Ordinal);
        Assert.Contains("Harbor", host.Find(".mud-dialog").TextContent, StringComparison.Ordinal);
        Assert.Equal($"http://localhost/api/v1/events/{registry.Id}", host.Find("[data-testid='events-url']").TextContent.Trim());

        // Kept only as a hash: the database never holds the secret itself.
        await using var db = await Db();
        var stored = await db.RegistryEndpoints.AsNoTracking().SingleAsync(r => r.Id == registry.Id);
        Assert.NotNull(stored.WebhookSecretHash);
        Assert.DoesNotContain(secret, stored.WebhookSecretHash, StringComparison.Ordinal);
        Assert.True(WebhookSecrets.Matches(stored.WebhookSecretHash, secret));
    }

    [Fact]
    public async Task A_configured_secret_stays_hidden_and_can_be_rotated()
    {
        var registry = (await Registries.CreateAsync(new RegistryEndpointInput { Name = "source", Url = "http://127.0.0.1:5000" }, "alice")).Registry!;
        await using (var db = await Db())
        {
            (await db.RegistryEndpoints.FindAsync(registry.Id))!.WebhookSecretHash = WebhookSecrets.Hash("old-secret");
            await db.SaveChangesAsync();
        }

        var (host, _) = await ShowDialogAsync(new DialogParameters<WebhookDialog> { { d => d.Registry, registry } });

        host.WaitForAssertion(() => Assert.Contains("Configured", host.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        Assert.Empty(host.FindAll("[data-testid='webhook-secret']"));
        Button(host, "Rotate secret").Click();
        host.WaitForAssertion(() => Assert.NotEmpty(host.FindAll("[data-testid='webhook-secret']")));
        await using var check = await Db();
        Assert.False(WebhookSecrets.Matches((await check.RegistryEndpoints.AsNoTracking().SingleAsync(r => r.Id == registry.Id)).WebhookSecretHash, "old-secret"));
    }

    [Fact]
    public async Task A_viewer_sees_the_configuration_but_cannot_generate_a_secret()
    {
        SignInAsViewer();
        var registry = (await Registries.CreateAsync(new RegistryEndpointInput { Name = "source", Url = "http://127.0.0.1:5000" }, "alice")).Registry!;

        var (host, _) = await ShowDialogAsync(new DialogParameters<WebhookDialog> { { d => d.Registry, registry } });

        host.WaitForAssertion(() => Assert.Contains("Not configured", host.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(host.FindAll("button"), b => b.TextContent.Contains("secret", StringComparison.Ordinal));
    }
}
