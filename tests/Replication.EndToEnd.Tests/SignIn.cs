using Microsoft.Playwright;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>What every flow starts with: the login page, as a person uses it.</summary>
public static class SignIn
{
    public static async Task AsAdministratorAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/account/login**");
        await page.GetByLabel("User name").FillAsync(AppProcess.AdminUserName);
        await page.GetByLabel("Password").FillAsync(AppProcess.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));

        await WaitUntilInteractiveAsync(page);
    }

    /// <summary>
    /// Pages are prerendered; clicks count only once the live (SignalR) connection has taken over. The deadline is
    /// generous for a loaded 2-core machine; the wait returns as soon as the page is live.
    /// </summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        Assertions.Expect(page.Locator(".ra-page[data-interactive='true']")).ToBeVisibleAsync(new() { Timeout = 30_000 });

    public static async Task GoToAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitUntilInteractiveAsync(page);
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png") });
    }
}
