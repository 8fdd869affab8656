using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Registries;

namespace Replication.EndToEnd.Tests;

/// <summary>An administrator registers a real htpasswd-protected registry and tests the connection from the dialog.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegistryConnectionTests(BrowserFixture browser) : IAsyncLifetime
{
    private AppProcess app = null!;
    private RegistryProcess registry = null!;

    public async Task InitializeAsync()
    {
        registry = await RegistryProcess.StartAsync(RegistryOptions.Basic);
        app = await AppProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await registry.DisposeAsync();
    }

    [Fact]
    public async Task Test_Connection_shows_the_failure_for_a_wrong_password_and_OK_for_the_right_one()
    {
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        await SignIn.GoToAsync(page, "/registries");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Registry" }).First.ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("harbor-lab");
        await dialog.GetByLabel("URL").FillAsync(registry.Url.ToString());
        await dialog.GetByLabel("Credential").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Username and password" }).ClickAsync();
        await dialog.GetByLabel("Username").FillAsync(registry.UserName!);
        await dialog.GetByLabel("Password").FillAsync("not-" + registry.Password);

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Test Connection" }).ClickAsync();
        var result = dialog.Locator(".ra-test-result");
        await Assertions.Expect(result).ToContainTextAsync("Connection failed.");
        await Assertions.Expect(result).ToContainTextAsync("rejected the username or password");

        await dialog.GetByLabel("Password").FillAsync(registry.Password!);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Test Connection" }).ClickAsync();
        await Assertions.Expect(result).ToContainTextAsync("Connection OK.");
        await Assertions.Expect(result).ToContainTextAsync("registry/2.0");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "harbor-lab" });
        await Assertions.Expect(row).ToBeVisibleAsync();

        // The dialog's successful test of the values saved is the registry's status at once, not "never checked".
        await Assertions.Expect(row).ToContainTextAsync("Healthy", new() { IgnoreCase = true });

        await row.GetByRole(AriaRole.Button, new() { Name = "Test Connection to harbor-lab" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Healthy", new() { IgnoreCase = true });
        await SignIn.ScreenshotAsync(page, "registries-light");

        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle light or dark theme" }).ClickAsync();
        await page.WaitForFunctionAsync(
            "() => { const [r, g, b] = getComputedStyle(document.querySelector('.mud-main-content')).backgroundColor.match(/\\d+/g).map(Number); return r + g + b < 200; }");
        await SignIn.ScreenshotAsync(page, "registries-dark");
    }
}
