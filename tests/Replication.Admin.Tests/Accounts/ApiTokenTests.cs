using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Admin.Tests.Security;

namespace Replication.Admin.Tests.Accounts;

/// <summary>API tokens: shown once, stored hashed, a role and an expiry of their own, revocable, limited like passwords.</summary>
public sealed class ApiTokenTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    private const string Admin = Host.AdminAppFactory.AdminUserName;
    private const string Password = Host.AdminAppFactory.AdminPassword;

    [Fact]
    public async Task A_token_is_shown_once_stored_as_a_hash_and_works_as_bearer_with_its_role()
    {
        using var admin = app.CreateClientFrom("203.0.113.50", Admin, Password);
        var (id, token) = await CreateAsync(admin, "ci-viewer", "Viewer");
        Assert.StartsWith("ra_", token, StringComparison.Ordinal);

        using var list = await admin.GetAsync("/api/v1/tokens");
        var listed = await list.Content.ReadAsStringAsync();
        Assert.Contains("\"ci-viewer\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"token\"", listed, StringComparison.Ordinal);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync())
        {
            var row = await db.ApiTokens.SingleAsync(t => t.Id == id);
            Assert.DoesNotContain(token, row.TokenHash, StringComparison.Ordinal);
            Assert.StartsWith("sha256:", row.TokenHash, StringComparison.Ordinal);
            Assert.Null(row.LastUsedAt);
        }

        using var bearer = app.CreateClientFrom("203.0.113.51");
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var read = await bearer.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        // A viewer token may read but not change.
        using var change = await bearer.DeleteAsync("/api/v1/registries/1");
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);

        using var again = await admin.GetAsync("/api/v1/tokens");
        var used = (await again.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(t => t.GetProperty("id").GetInt32() == id);
        Assert.NotEqual(JsonValueKind.Null, used.GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task An_administrator_token_changes_things_and_the_audit_names_the_token()
    {
        using var admin = app.CreateClientFrom("203.0.113.52", Admin, Password);
        var (_, token) = await CreateAsync(admin, "ci-admin", "Administrator");
        using var bearer = app.CreateClientFrom("203.0.113.52");
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var created = await bearer.PostAsJsonAsync("/api/v1/registries", new { name = "by-token", url = "http://127.0.0.1:9", type = "docker-registry", verifyTls = true });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = await app.Services.GetRequiredService<AuditLog>().RecentAsync(50);
        Assert.Contains(audit, e => e.Action == AuditActions.RegistryCreate && e.Who == "token:ci-admin");
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_its_next_call()
    {
        using var admin = app.CreateClientFrom("203.0.113.53", Admin, Password);
        var (id, token) = await CreateAsync(admin, "to-revoke", "Viewer");
        using var bearer = app.CreateClientFrom("203.0.113.54");
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var before = await bearer.GetAsync("/api/v1/rules"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoked = await admin.DeleteAsync($"/api/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        using var after = await bearer.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        using var gone = await admin.DeleteAsync($"/api/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains(await app.Services.GetRequiredService<AuditLog>().RecentAsync(50), e => e.Action == AuditActions.TokenRevoke && e.Target == "token 'to-revoke'");
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_creates_nothing()
    {
        using var admin = app.CreateClientFrom("203.0.113.55", Admin, Password);

        using var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "bad name!", role = "Root", expiresAt = "2000-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("role", out _));
        Assert.True(errors.TryGetProperty("expiresAt", out _));
        using var list = await admin.GetAsync("/api/v1/tokens");
        Assert.DoesNotContain("bad name", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_tokens_count_against_the_address_with_wrong_passwords()
    {
        const string address = "198.51.100.60";
        using var guesser = app.CreateClientFrom(address);
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ra_not-a-real-token");
        for (var attempt = 0; attempt < SecurityAppFactory.FailureLimit; attempt++)
        {
            using var wrong = await guesser.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await guesser.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);

        // Same budget: the address's passwords are refused too.
        using var basic = app.CreateClientFrom(address, Admin, Password);
        using var alsoRefused = await basic.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, alsoRefused.StatusCode);
    }

    [Fact]
    public async Task A_registry_webhook_secret_is_not_taken_for_an_api_token()
    {
        const string address = "198.51.100.61";
        using var registry = app.CreateClientFrom(address);
        registry.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "some-webhook-secret");
        for (var attempt = 0; attempt < SecurityAppFactory.FailureLimit + 1; attempt++)
        {
            using var _ = await registry.PostAsync("/api/v1/events/999", JsonContent.Create(new { events = Array.Empty<object>() }));
        }

        // The webhook has its own budget; the address's sign-ins are untouched.
        using var basic = app.CreateClientFrom(address, Admin, Password);
        using var read = await basic.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private static async Task<(int Id, string Token)> CreateAsync(HttpClient admin, string name, string role)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role, expiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(name, body.GetProperty("name").GetString());
        Assert.Equal(role, body.GetProperty("role").GetString());
        return (body.GetProperty("id").GetInt32(), body.GetProperty("token").GetString()!);
    }
}
