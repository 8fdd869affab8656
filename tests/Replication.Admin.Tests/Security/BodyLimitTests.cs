using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Boundary: request bodies. An <c>/api</c> body over <c>Api:MaxBodyBytes</c> is refused with 413 before it is read and
/// changes nothing; the registry webhook has its own limit (<c>Replication:Webhooks:MaxBodyBytes</c>). A chunked body is
/// cut off by Kestrel at the same limit (the in-process test server has no such limit: the end-to-end tests show it).
/// </summary>
public sealed class BodyLimitTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    [Theory]
    [InlineData("POST", "/api/v1/registries")]
    [InlineData("PUT", "/api/v1/registries/1")]
    [InlineData("POST", "/api/v1/rules")]
    [InlineData("PUT", "/api/v1/rules/1")]
    public async Task An_api_body_over_the_limit_is_refused_whole_and_changes_nothing(string method, string path)
    {
        using var admin = app.CreateClientFrom("203.0.113.40", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        var before = await CountAsync(admin);
        var body = JsonSerializer.Serialize(new { name = "big-" + Guid.NewGuid().ToString("N")[..6], url = "http://127.0.0.1:9", description = new string('x', SecurityAppFactory.ApiBodyLimit) });

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json")) };
        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"up to {SecurityAppFactory.ApiBodyLimit} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(admin));
    }

    [Fact]
    public async Task A_body_under_the_limit_is_read()
    {
        using var admin = app.CreateClientFrom("203.0.113.40", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);

        using var response = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "small-" + Guid.NewGuid().ToString("N")[..6], url = "http://127.0.0.1:9", description = new string('x', 1000) });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task The_webhook_reads_up_to_its_own_limit_not_the_apis()
    {
        using var admin = app.CreateClientFrom("203.0.113.41", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "limits-" + Guid.NewGuid().ToString("N")[..6], url = "http://127.0.0.1:9" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var generated = await admin.PostAsync($"/api/v1/registries/{id}/webhook-secret", null);
        var secret = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        using var registry = app.CreateClientFrom("203.0.113.42");
        var pull = """{"id":"1","action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"team/app","tag":"v1"}}""";

        // Over the API's limit, well under the webhook's 1 MiB.
        var large = "{\"events\":[" + string.Join(",", Enumerable.Repeat(pull, (2 * SecurityAppFactory.ApiBodyLimit / pull.Length) + 1)) + "]}";
        using var accepted = await WebhookBoundaryTests.SendAsync(registry, id, new AuthenticationHeaderValue("Bearer", secret), large);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var huge = "{\"events\":[" + string.Join(",", Enumerable.Repeat(pull, (1024 * 1024 / pull.Length) + 1)) + "]}";
        using var refused = await WebhookBoundaryTests.SendAsync(registry, id, new AuthenticationHeaderValue("Bearer", secret), huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
    }

    private static async Task<int> CountAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/v1/registries")).GetArrayLength() + (await admin.GetFromJsonAsync<JsonElement>("/api/v1/rules")).GetArrayLength();
}
