using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Replication.Admin.Audit;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Headers on every answer: no sniffing, no Referer to other sites, a Content-Security-Policy that allows only the
/// app's own scripts (the inline import map by nonce), HSTS over HTTPS, no Server header. The browser test
/// (Replication.EndToEnd.Tests, ContentSecurityPolicyTests) shows Blazor and MudBlazor run under the policy.
/// </summary>
public sealed partial class SecurityHeaderTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    [Theory]
    [InlineData("/account/login", false)]
    [InlineData("/", true)]
    [InlineData("/rules", true)]
    [InlineData("/users", true)]
    public async Task Pages_carry_a_policy_that_runs_only_the_apps_scripts_and_the_import_map_by_its_nonce(string path, bool signedIn)
    {
        using var client = signedIn
            ? app.CreateClientFrom("203.0.113.70", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword)
            : app.CreateClientFrom("203.0.113.70");

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCommonHeaders(response);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = Directives(policy);
        Assert.Equal("'self'", directives["default-src"]);
        Assert.Equal("'self'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'self'", directives["base-uri"]);
        Assert.Equal("'self'", directives["form-action"]);
        Assert.Equal("'self' ws://localhost", directives["connect-src"]);
        Assert.Equal("'self' 'unsafe-inline'", directives["style-src"]);
        var nonce = Assert.Single(NonceSource().Matches(directives["script-src"])).Groups[1].Value;
        Assert.Equal($"'self' 'nonce-{nonce}'", directives["script-src"]);

        var html = await response.Content.ReadAsStringAsync();
        var inlineScripts = InlineScript().Matches(html);
        Assert.Equal(["importmap"], inlineScripts.Select(m => m.Groups["type"].Value));
        Assert.Equal(nonce, inlineScripts[0].Groups["nonce"].Value);
        Assert.DoesNotContain(OpeningTags().Matches(html).Select(m => Regex.Replace(m.Value, "\"[^\"]*\"", "\"\"")), tag => Regex.IsMatch(tag, @"\son[a-z]+="));
    }

    [Fact]
    public async Task Every_page_gets_a_fresh_nonce()
    {
        using var client = app.CreateClientFrom("203.0.113.71");

        using var first = await client.GetAsync("/account/login");
        using var second = await client.GetAsync("/account/login");

        Assert.NotEqual(first.Headers.GetValues("Content-Security-Policy").Single(), second.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("/api/v1/rules", HttpStatusCode.OK)]
    [InlineData("/api/v1/rules/987654", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/audit?page=abc", HttpStatusCode.BadRequest)]
    public async Task Api_answers_may_load_nothing_and_be_framed_by_nobody_errors_included(string path, HttpStatusCode status)
    {
        using var client = app.CreateClientFrom("203.0.113.72", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        AssertCommonHeaders(response);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Refusals_carry_the_headers_too()
    {
        using var anonymous = app.CreateClientFrom("203.0.113.73");

        using var api = await anonymous.GetAsync("/api/v1/rules");
        using var page = await anonymous.GetAsync("/rules");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        AssertCommonHeaders(api);
        AssertCommonHeaders(page);
    }

    [Fact]
    public async Task Hsts_is_sent_over_https_only_and_never_for_localhost()
    {
        using var https = app.CreateHttpsClient("replication.example.com");
        using var httpsLocalhost = app.CreateHttpsClient("localhost");
        using var http = app.CreateClientFrom("203.0.113.74");

        using var secure = await https.GetAsync("/account/login");
        using var local = await httpsLocalhost.GetAsync("/account/login");
        using var plain = await http.GetAsync("/account/login");

        Assert.Equal("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Contains("connect-src 'self' wss://replication.example.com;", secure.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Kestrel_does_not_say_who_it_is()
    {
        // The in-process test server never sends Server; the end-to-end tests read the real process's answers.
        Assert.False(app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Server"));
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal);

    [GeneratedRegex("'nonce-([0-9a-f]{32})'")]
    private static partial Regex NonceSource();

    // <script> elements without src: inline code.
    [GeneratedRegex(@"<script(?![^>]*\ssrc=)(?:\s+type=""(?<type>[^""]*)"")?(?:\s+nonce=""(?<nonce>[^""]*)"")?[^>]*>")]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<[a-zA-Z][^>]*>")]
    private static partial Regex OpeningTags();
}

/// <summary>
/// Behind a reverse proxy listed in <c>Security:TrustedProxies</c> the client is the address it forwards (for the
/// limits and the audit trail), and its X-Forwarded-Proto counts for HSTS; anyone else's forwarded headers are ignored.
/// </summary>
public sealed class TrustedProxyTests(TrustedProxyTests.ProxiedApp app) : IClassFixture<TrustedProxyTests.ProxiedApp>
{
    private const string Proxy = "10.1.2.3";

    [Fact]
    public async Task The_trusted_proxy_names_the_client_and_nobody_else_does()
    {
        using var viaProxy = app.CreateClientFrom(Proxy, "forwarded-guess", "Wrong-Passw0rd");
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.200");
        using var direct = app.CreateClientFrom("10.9.9.9", "direct-guess", "Wrong-Passw0rd");
        direct.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.201");

        using var first = await viaProxy.GetAsync("/api/v1/rules");
        using var second = await direct.GetAsync("/api/v1/rules");

        var entries = await app.Services.GetRequiredService<AuditLog>().RecentAsync(50);
        Assert.EndsWith("from 198.51.100.200", Assert.Single(entries, e => e.Who == "forwarded-guess").Details, StringComparison.Ordinal);
        Assert.EndsWith("from 10.9.9.9", Assert.Single(entries, e => e.Who == "direct-guess").Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_at_the_proxy_gets_hsts()
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://replication.example.com/"),
            AllowAutoRedirect = false,
        });
        client.DefaultRequestHeaders.Add(SecurityAppFactory.ClientAddressHeader, Proxy);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.202");
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var response = await client.GetAsync("/account/login");

        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    public sealed class ProxiedApp : SecurityAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Security:TrustedProxies:0", Proxy);
        }
    }
}
