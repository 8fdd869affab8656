using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// An administrator picks Docker Hub as a registry's kind: the dialog fills its address and explains it, and Test
/// Connection against a registry that counts pulls like Docker Hub shows the pull limit.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegistryKindTests(BrowserFixture browser) : IAsyncLifetime
{
    private AppProcess app = null!;
    private RegistryProcess registry = null!;
    private FaultProxy hub = null!;

    public async Task InitializeAsync()
    {
        registry = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        using (var oci = new OciTestClient(registry))
        {
            await oci.PushImageAsync("ratelimitpreview/test", "latest");
        }

        hub = await FaultProxy.StartAsync(registry);
        hub.LimitPulls(100, TimeSpan.FromHours(6));
        app = await AppProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await hub.DisposeAsync();
        await registry.DisposeAsync();
    }

    [Fact]
    public async Task Docker_Hub_brings_its_address_and_help_and_Test_Connection_shows_the_pull_limit()
    {
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        await SignIn.GoToAsync(page, "/registries");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Registry" }).First.ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("docker-hub");
        await dialog.GetByLabel("Kind").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Docker Hub" }).ClickAsync();
        await Assertions.Expect(dialog.GetByLabel("URL")).ToHaveValueAsync("https://registry-1.docker.io");
        await Assertions.Expect(dialog).ToContainTextAsync("hub.docker.com is the website");

        await dialog.GetByLabel("URL").FillAsync("https://hub.docker.com");
        await dialog.GetByLabel("Description").FocusAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Enter https://registry-1.docker.io instead");

        // The stand-in for Docker Hub: a local registry behind a proxy that counts pulls like it.
        await dialog.GetByLabel("URL").FillAsync(hub.Url);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Test Connection" }).ClickAsync();
        var result = dialog.Locator(".ra-test-result");
        await Assertions.Expect(result).ToContainTextAsync("Connection OK.");
        await Assertions.Expect(result).ToContainTextAsync("pull rate limit: 100 of 100 left per 6 h");
        await result.ScrollIntoViewIfNeededAsync();
        await SignIn.ScreenshotAsync(page, "registry-kind-docker-hub-wide");
        await page.SetViewportSizeAsync(390, 844);
        await result.ScrollIntoViewIfNeededAsync();
        await SignIn.ScreenshotAsync(page, "registry-kind-docker-hub-phone");
        await page.SetViewportSizeAsync(1400, 900);

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "docker-hub" })).ToContainTextAsync("Docker Hub");
        Assert.Equal(100, hub.PullsLeft);
    }
}
