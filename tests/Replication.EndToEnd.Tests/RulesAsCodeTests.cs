using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// Rules as code in a browser: an administrator imports registries and a rule from YAML (dry run, then Import), runs it,
/// looks back on it on the rule's page, downloads the execution's log, and browses a tag that leads to a new rule.
/// Screenshots of the new pages at desktop and phone sizes, light and dark.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RulesAsCodeTests(BrowserFixture browser) : IAsyncLifetime
{
    private AppProcess app = null!;
    private RegistryProcess source = null!;
    private RegistryProcess destination = null!;

    public async Task InitializeAsync()
    {
        source = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        using (var oci = new OciTestClient(source))
        {
            await oci.PushTagsAsync("team/app", ["v1", "v2"]);
            await oci.PushIndexAsync("team/app", "multi", [ImageSpec.WithLayers(41, 30_000), ImageSpec.WithLayers(42, 20_000).ForPlatform("arm64", "v8")]);
        }

        app = await AppProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await destination.DisposeAsync();
        await source.DisposeAsync();
    }

    [Fact]
    public async Task Import_run_look_back_download_and_browse_to_a_new_rule()
    {
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);

        // Import: the dry run lists what would be created; Import applies it.
        await SignIn.GoToAsync(page, "/rules");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("YAML").FillAsync($"""
            version: 1
            registries:
            - name: lab-source
              url: {source.Url}
            - name: lab-mirror
              url: {destination.Url}
            rules:
            - name: team-mirror
              sourceRegistry: lab-source
              sourceProject: team
              destinationRegistry: lab-mirror
              destinationProject: mirror
            """);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".ra-config-summary")).ToContainTextAsync("Create (3)");
        await Shots(page, "config-import-dry-run", reload: false);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Imported: 3 created");

        // Run it, then look back on the rule's page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Replicate team-mirror" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "started" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "team-mirror" }).ClickAsync();
        await page.WaitForURLAsync("**/rules/*");
        await SignIn.WaitUntilInteractiveAsync(page);
        for (var attempt = 0; attempt < 30 && await page.Locator(".ra-rule-executions tbody tr").CountAsync() == 0; attempt++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
            await SignIn.WaitUntilInteractiveAsync(page);
        }

        await page.Locator(".ra-rule-executions tbody tr a").First.ClickAsync();
        await page.WaitForURLAsync("**/executions/*");
        await SignIn.WaitUntilInteractiveAsync(page);
        // The execution's own status, not a task's: a task shows succeeded live before the run's end is saved, and the
        // download reads what was saved.
        await Assertions.Expect(page.Locator(".ra-execution-title .ra-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download log" }).ClickAsync());
        var log = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("copy team/app:v1 -> mirror/app:v1 · succeeded · started ", log, StringComparison.Ordinal);

        await page.GoBackAsync();
        await page.WaitForURLAsync("**/rules/*");
        await page.ReloadAsync();
        await SignIn.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".ra-rule-executions tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".ra-rule-rate").First).ToHaveTextAsync("100%");
        await Shots(page, "rule-history");

        // Replicate from the rule's own page too.
        await page.GetByRole(AriaRole.Button, new() { Name = "Replicate team-mirror" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "started" })).ToBeVisibleAsync();

        // Browse: a tag's details, in the URL, and a new rule from here.
        await SignIn.GoToAsync(page, "/registries");
        await page.GetByRole(AriaRole.Link, new() { Name = "Browse lab-source" }).Or(page.GetByRole(AriaRole.Button, new() { Name = "Browse lab-source" })).First.ClickAsync();
        await page.WaitForURLAsync("**/browse**");
        await SignIn.WaitUntilInteractiveAsync(page);
        await page.Locator(".ra-tag-chip", new() { HasText = "multi" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("repository=team%2Fapp&tag=multi$"));
        await Assertions.Expect(page.Locator(".ra-tag-platforms")).ToContainTextAsync("linux/arm64/v8");
        await Shots(page, "browse-tag-details");

        await page.GetByRole(AriaRole.Button, new() { Name = "New rule from here" }).ClickAsync();
        var ruleDialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(ruleDialog.GetByLabel("Source project", new() { Exact = true })).ToHaveValueAsync("team");
        await Assertions.Expect(ruleDialog.GetByLabel("Repositories", new() { Exact = true })).ToHaveValueAsync("app");
    }

    /// <summary>The page at 1400x900 and 390x844, light and dark.</summary>
    private async Task Shots(IPage page, string name, bool reload = true)
    {
        foreach (var (width, height) in new[] { (1400, 900), (390, 844) })
        {
            foreach (var dark in new[] { false, true })
            {
                if (reload)
                {
                    await page.Context.AddCookiesAsync([new Cookie { Name = "ra-theme", Value = dark ? "dark" : "light", Url = app.Url.ToString() }]);
                }

                await page.SetViewportSizeAsync(width, height);
                if (reload)
                {
                    await page.ReloadAsync();
                    await SignIn.WaitUntilInteractiveAsync(page);
                    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                }

                await SignIn.ScreenshotAsync(page, $"{name}-{width}x{height}{(dark ? "-dark" : "")}");
                if (!reload)
                {
                    break;
                }
            }
        }

        await page.SetViewportSizeAsync(1400, 900);
        await page.Context.AddCookiesAsync([new Cookie { Name = "ra-theme", Value = "light", Url = app.Url.ToString() }]);
    }
}
