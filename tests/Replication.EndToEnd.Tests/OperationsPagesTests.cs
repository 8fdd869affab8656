using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>The day-two pages: an API token created and shown once, alert channels with a failed test in the log, the password form.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class OperationsPagesTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly string[] ChannelEvents = ["executionFailed", "executionRecovered"];

    private AppProcess app = null!;

    public async Task InitializeAsync() => app = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_administrator_creates_a_token_sees_it_once_and_tests_an_alert_channel()
    {
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        await SignIn.GoToAsync(page, "/tokens");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Token" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("ci-pipeline");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var token = await dialog.GetByTestId("new-token").TextContentAsync();
        Assert.StartsWith("ra_", token, StringComparison.Ordinal);
        await SignIn.ScreenshotAsync(page, "token-created-light");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "ci-pipeline", Exact = true })).ToBeVisibleAsync();
        Assert.DoesNotContain(token!, await page.ContentAsync(), StringComparison.Ordinal);

        // The token works on the API as Bearer.
        using var http = new HttpClient { BaseAddress = app.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.True((await http.GetAsync("/api/v1/rules")).IsSuccessStatusCode);
        await ShootAsync(page, "/tokens", "tokens");

        // A channel whose receiver is down: Send test says why, and the delivery log keeps it.
        using var admin = new HttpClient { BaseAddress = app.Url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));
        using var created = await admin.PostAsJsonAsync("/api/v1/notification-channels", new { name = "ops-webhook", kind = "webhook", target = "http://127.0.0.1:9/hook", events = ChannelEvents, ruleIds = Array.Empty<int>() });
        Assert.True(created.IsSuccessStatusCode);
        await SignIn.GoToAsync(page, "/notifications");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test to ops-webhook" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Test to 'ops-webhook' failed")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table").Last).ToContainTextAsync("Failed");
        await ShootAsync(page, "/notifications", "alerts");
        await ShootAsync(page, "/registries", "registries-health");
    }

    private static async Task ShootAsync(IPage page, string path, string name)
    {
        foreach (var (width, height, size) in new[] { (1400, 900, "wide"), (390, 844, "phone") })
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                await page.Context.AddCookiesAsync([new Cookie { Name = "ra-theme", Value = scheme == ColorScheme.Dark ? "dark" : "light", Url = page.Url }]);
                await SignIn.GoToAsync(page, path);
                await SignIn.ScreenshotAsync(page, $"{name}-{size}-{(scheme == ColorScheme.Dark ? "dark" : "light")}");
            }
        }

        await page.SetViewportSizeAsync(1400, 900);
    }
}
