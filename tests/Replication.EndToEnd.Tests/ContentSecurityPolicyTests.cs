using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// The Content-Security-Policy in a real browser: signing in and using every page (Blazor's live connection, MudBlazor's
/// dialogs and menus, the theme switch, Hangfire's dashboard) logs no violation and no error. Also what only the real
/// server shows: no Server header, and a chunked API body cut off at its limit.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture browser) : IAsyncLifetime
{
    private const int ApiBodyLimit = 4096;

    // Collects what the browser reports, page after page (a full load starts a new window, so the list is re-created).
    private const string ViolationRecorder = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
        """;

    private AppProcess app = null!;

    public async Task InitializeAsync() =>
        app = await AppProcess.StartAsync(new Dictionary<string, string> { ["Api:MaxBodyBytes"] = ApiBodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Signing_in_and_using_every_page_logs_no_policy_violation()
    {
        var page = await browser.NewPageAsync(app.Url);
        await page.Context.AddInitScriptAsync(ViolationRecorder);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");

        var login = await page.GotoAsync("/account/login");
        var headers = await login!.AllHeadersAsync();
        Assert.Contains("script-src 'self' 'nonce-", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.False(headers.ContainsKey("server"), "the real server says who it is");
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        await CollectAsync(page, "/account/login", problems);

        await SignIn.AsAdministratorAsync(page);
        await CollectAsync(page, "/ (after sign-in)", problems);

        foreach (var path in new[] { "/", "/rules", "/registries", "/audit", "/users" })
        {
            await SignIn.GoToAsync(page, path);
            await CollectAsync(page, path, problems);
        }

        // MudBlazor's overlays, menus and the theme switch (JS interop with the app's own script).
        await SignIn.GoToAsync(page, "/registries");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Registry" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Credential").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Username and password" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle light or dark theme" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.body.classList.contains('ra-dark')");
        await SignIn.GoToAsync(page, "/rules");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Replication Rule" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await CollectAsync(page, "dialogs and theme", problems);

        await page.GotoAsync("/hangfire");
        await Assertions.Expect(page.GetByText("Recurring Jobs").First).ToBeVisibleAsync();
        await page.GotoAsync("/hangfire/recurring");
        await Assertions.Expect(page.GetByText("executions:prune").First).ToBeVisibleAsync();
        await CollectAsync(page, "/hangfire", problems);

        Assert.True(problems.Count == 0, "the browser reported:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task A_chunked_api_body_over_the_limit_is_cut_off_with_413()
    {
        using var http = new HttpClient { BaseAddress = app.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));
        var json = $$"""{"name":"chunked","url":"https://reg.example.com","description":"{{new string('x', ApiBodyLimit * 4)}}"}""";

        // A stream of unknown length is sent chunked: no Content-Length to refuse up front, so the server must cut it off.
        using var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("/api/v1/registries", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain("chunked", await http.GetStringAsync("/api/v1/registries"), StringComparison.Ordinal);
    }

    private static async Task CollectAsync(IPage page, string where, List<string> problems)
    {
        // Give late work (the live connection, lazy scripts) a moment to run into the policy.
        await page.WaitForTimeoutAsync(500);
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
        problems.AddRange(violations.Select(v => $"{where}: {v}"));
        await page.EvaluateAsync("() => { window.__cspViolations = []; }");
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
