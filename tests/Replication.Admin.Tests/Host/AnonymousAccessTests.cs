using System.Net;

namespace Replication.Admin.Tests.Host;

public sealed class AnonymousAccessTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/rules")]
    [InlineData("/registries")]
    [InlineData("/registries/1/browse")]
    [InlineData("/audit")]
    [InlineData("/users")]
    public async Task Every_page_redirects_an_anonymous_browser_to_the_sign_in_page(string path)
    {
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("http://localhost/account/login?ReturnUrl=", location, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString(path), location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_is_open_and_carries_an_antiforgery_token()
    {
        using var client = app.CreateAnonymousClient();

        var html = await client.GetStringAsync("/account/login");

        Assert.Contains("Sign in", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.Contains("brand/logo.svg", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/brand/logo.svg", "image/svg+xml")]
    [InlineData("/brand/favicon.svg", "image/svg+xml")]
    [InlineData("/brand/app.css", "text/css")]
    public async Task Brand_assets_are_served_to_the_sign_in_page_without_an_account(string path, string contentType)
    {
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
    }

    [Theory]
    [InlineData("GET", "/api/v1/registries")]
    [InlineData("GET", "/api/v1/registries/1")]
    [InlineData("POST", "/api/v1/registries")]
    [InlineData("PUT", "/api/v1/registries/1")]
    [InlineData("DELETE", "/api/v1/registries/1")]
    [InlineData("POST", "/api/v1/registries/1/ping")]
    public async Task The_api_answers_401_with_a_basic_challenge_and_never_redirects(string method, string path)
    {
        using var client = app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Wrong_basic_credentials_get_401()
    {
        using var client = app.CreateBasicClient(AdminAppFactory.AdminUserName, "not-the-password");

        using var response = await client.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_registries_api_and_basic_auth()
    {
        using var client = app.CreateAnonymousClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/v1/registries/{id}/ping", document, StringComparison.Ordinal);
        Assert.Contains("\"basic\"", document, StringComparison.Ordinal);
        Assert.Contains("\"scheme\": \"basic\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("/account/logout", document, StringComparison.Ordinal);
    }
}
