using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Operations;

/// <summary>What a production install shows: its own 404 page, an interactive API reference for signed-in users, an OpenAPI document that lists refusals.</summary>
public sealed class ProductionDefaultsTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task An_unknown_page_is_the_apps_own_404_inside_the_layout()
    {
        using var signedIn = app.CreateBasicClient();

        using var response = await signedIn.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Page not found", html, StringComparison.Ordinal);
        Assert.Contains("Replication Rules", html, StringComparison.Ordinal); // the navigation of the layout
    }

    [Fact]
    public async Task An_unknown_api_route_stays_a_bare_404_not_a_page()
    {
        using var signedIn = app.CreateBasicClient();

        using var response = await signedIn.GetAsync("/api/v1/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_reference_is_for_signed_in_users_and_its_scripts_carry_the_policys_nonce()
    {
        using var anonymous = app.CreateAnonymousClient();
        using var refused = await anonymous.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/login", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var signedIn = app.CreateBasicClient();
        using var page = await signedIn.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([0-9a-f]+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"nonce=\"{nonce}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_lists_401_403_404_and_409_where_routes_give_them()
    {
        using var anonymous = app.CreateAnonymousClient();
        var paths = (await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        JsonElement Responses(string path, string method) => paths.GetProperty(path).GetProperty(method).GetProperty("responses");

        var delete = Responses("/api/v1/registries/{id}", "delete");
        foreach (var code in new[] { "401", "403", "404", "409" })
        {
            Assert.True(delete.TryGetProperty(code, out _), $"DELETE registry lacks {code}");
        }

        var list = Responses("/api/v1/registries", "get");
        Assert.True(list.TryGetProperty("401", out _));
        Assert.False(list.TryGetProperty("403", out _), "a Viewer may list registries");
        Assert.False(list.TryGetProperty("404", out _));
        Assert.True(Responses("/api/v1/executions/{id}/retry", "post").TryGetProperty("409", out _));
        Assert.False(Responses("/api/v1/events/{registryId}", "post").TryGetProperty("403", out _));
    }
}
