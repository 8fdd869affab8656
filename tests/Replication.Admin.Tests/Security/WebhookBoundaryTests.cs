using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Tests.Host;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Boundary: registries' webhooks. <c>POST /api/v1/events/{registryId}</c> is open to the network but needs that
/// registry's own secret; a portal account is not enough. Wrong secrets count per client address on a budget of their
/// own, so a registry with a stale secret cannot throttle the sign-ins of the host it runs on.
/// </summary>
public sealed class WebhookBoundaryTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>, IAsyncLifetime
{
    private int registryId;
    private int otherRegistryId;
    private string secret = "";
    private string otherSecret = "";

    public async Task InitializeAsync()
    {
        using var admin = app.CreateClientFrom("203.0.113.1", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        (registryId, secret) = await RegisterWithSecretAsync(admin);
        (otherRegistryId, otherSecret) = await RegisterWithSecretAsync(admin);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Only_the_registrys_own_secret_is_accepted_and_every_refusal_is_audited_with_the_address()
    {
        const string sender = "198.51.100.90";
        using var client = app.CreateClientFrom(sender);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, registryId, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, registryId, new AuthenticationHeaderValue("Bearer", otherSecret)));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(client, registryId, new AuthenticationHeaderValue("Bearer", secret)));

        // A portal account is not a registry's secret, from another address with a fresh budget.
        using var withAccount = app.CreateClientFrom("198.51.100.91");
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(withAccount, registryId, AdminAppFactory.BasicHeader(AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword)));

        var refusals = (await app.Services.GetRequiredService<AuditLog>().RecentAsync(500))
            .Where(e => e.Action == AuditActions.WebhookRefused && e.Target == $"registry {registryId} webhook").ToList();
        Assert.Equal(3, refusals.Count);
        Assert.Equal(2, refusals.Count(e => e.Details.EndsWith($"from {sender}", StringComparison.Ordinal)));
        Assert.All(refusals, e => Assert.DoesNotContain(otherSecret, e.Details + e.Target + e.Who, StringComparison.Ordinal));
        Assert.Contains(app.LogLines, l => l.Contains("Refused a notification", StringComparison.Ordinal) && l.Contains(sender, StringComparison.Ordinal));
        Assert.DoesNotContain(app.LogLines, l => l.Contains(otherSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_secrets_from_one_address_end_in_429_without_touching_its_sign_ins_or_other_senders()
    {
        const string sender = "198.51.100.92";
        using var client = app.CreateClientFrom(sender);
        for (var attempt = 0; attempt < SecurityAppFactory.FailureLimit; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, otherRegistryId, new AuthenticationHeaderValue("Bearer", $"guess-{attempt}")));
        }

        using var refused = await SendAsync(client, otherRegistryId, new AuthenticationHeaderValue("Bearer", otherSecret));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Single(await app.Services.GetRequiredService<AuditLog>().RecentAsync(500),
            e => e.Action == AuditActions.WebhookThrottled && e.Details.Contains(sender, StringComparison.Ordinal));

        using var registryHost = app.CreateClientFrom("198.51.100.93");
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(registryHost, otherRegistryId, new AuthenticationHeaderValue("Bearer", otherSecret)));
        using var administrator = app.CreateClientFrom(sender, AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        using var api = await administrator.GetAsync("/api/v1/registries");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    private static async Task<(int Id, string Secret)> RegisterWithSecretAsync(HttpClient admin)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "hook-" + Guid.NewGuid().ToString("N")[..8], url = "http://127.0.0.1:9" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var generated = await admin.PostAsync($"/api/v1/registries/{id}/webhook-secret", null);
        return (id, (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, int registry, AuthenticationHeaderValue? authorization)
    {
        using var response = await SendAsync(client, registry, authorization);
        return response.StatusCode;
    }

    /// <summary>A pull notification: understood and ignored, so an accepted one changes nothing.</summary>
    internal static async Task<HttpResponseMessage> SendAsync(HttpClient client, int registry, AuthenticationHeaderValue? authorization, string? body = null)
    {
        body ??= """{"events":[{"id":"1","action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"team/app","tag":"v1"}}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{registry}")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(RegistryEventParser.DistributionMediaType)),
        };
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }
}
