using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// An administrator registers two real registries, creates a replication rule through the New Replication Rule dialog
/// with filters, sees the live preview count exactly what was pushed, saves, and finds the rule on the rules page.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RuleDialogTests(BrowserFixture browser) : IAsyncLifetime
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
            // The filters below select app and app-cli (not web), tags v1 and v2 (not latest, not the release candidate): 2 repositories, 3 tags.
            await oci.PushTagsAsync("team/app", ["v1", "v2", "v2-rc1", "latest"]);
            await oci.PushTagsAsync("team/app-cli", ["v1"]);
            await oci.PushTagsAsync("team/web", ["v1", "v2"]);
            await oci.PushTagsAsync("tools/app", ["v1"]);
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
    public async Task A_rule_created_through_the_dialog_previews_what_it_selects_and_appears_on_the_rules_page()
    {
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        await AddRegistryAsync(page, "lab-source", source.Url);
        await AddRegistryAsync(page, "lab-mirror", destination.Url);

        await SignIn.GoToAsync(page, "/rules");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Replication Rule" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("New Replication Rule");

        await Field(dialog, "Name").FillAsync("team-nightly");
        await Field(dialog, "Description").FillAsync("Release images of the team's apps, every night");
        await ChooseAsync(page, dialog, "Source registry", "lab-source");

        // The project list comes from the source registry's catalog; pick the suggestion.
        await Field(dialog, "Source project").FillAsync("te");
        await page.GetByRole(AriaRole.Option, new() { Name = "team", Exact = true }).ClickAsync();

        // Before the filters: everything in the project.
        var preview = dialog.GetByTestId("rule-preview");
        await Assertions.Expect(preview.GetByTestId("preview-repositories")).ToHaveTextAsync("3");
        await Assertions.Expect(preview.GetByTestId("preview-tags")).ToHaveTextAsync("7");

        await Field(dialog, "Repositories").FillAsync("app*");
        await Field(dialog, "Tags").FillAsync("v*");
        await Field(dialog, "Exclude tags").FillAsync("*-rc*");
        await ChooseAsync(page, dialog, "Destination registry", "lab-mirror");
        await Field(dialog, "Destination project").FillAsync("mirror");
        await ChooseAsync(page, dialog, "Trigger mode", "Scheduled");
        await Field(dialog, "Cron").FillAsync("30 1 * * 1-5");

        // The preview follows the patterns: exactly what the test pushed and the filters select.
        await Assertions.Expect(preview.GetByTestId("preview-repositories")).ToHaveTextAsync("2");
        await Assertions.Expect(preview.GetByTestId("preview-tags")).ToHaveTextAsync("3");
        await Assertions.Expect(preview).ToContainTextAsync("team/app-cli");
        await Assertions.Expect(preview).Not.ToContainTextAsync("team/web");
        await Assertions.Expect(preview).Not.ToContainTextAsync("v2-rc1");
        await Assertions.Expect(dialog.GetByTestId("cron-reading")).ToContainTextAsync("At 01:30 UTC, Monday through Friday");
        await Assertions.Expect(dialog.Locator(".ra-cron-run")).ToHaveCountAsync(3);
        await Assertions.Expect(dialog.GetByLabel(DeleteRemote)).ToBeVisibleAsync();

        await dialog.GetByTestId("cron-reading").ScrollIntoViewIfNeededAsync();
        await SignIn.ScreenshotAsync(page, "rule-dialog-scheduled");

        // The whole dialog at once, on a taller screen.
        await page.SetViewportSizeAsync(1400, 1500);
        await dialog.Locator(".ra-rule-dialog-content").EvaluateAsync("e => e.scrollTop = 0");
        await SignIn.ScreenshotAsync(page, "rule-dialog-scheduled-full");
        await page.SetViewportSizeAsync(1400, 900);

        // The rule settings of the second milestone: naming shows in the preview, the platform subset says what it costs.
        await Field(dialog, "Destination prefix").FillAsync("hub");
        await Assertions.Expect(preview).ToContainTextAsync("→ mirror/hub/app");
        await Field(dialog, "Platforms").FillAsync("linux/amd64");
        await Field(dialog, "Bandwidth limit").FillAsync("10240");
        await Assertions.Expect(dialog).ToContainTextAsync("the destination digest differs from the source's");
        await Field(dialog, "Destination prefix").ScrollIntoViewIfNeededAsync();
        await SignIn.ScreenshotAsync(page, "rule-dialog-settings");
        await page.SetViewportSizeAsync(390, 844);
        await Field(dialog, "Platforms").ScrollIntoViewIfNeededAsync();
        await SignIn.ScreenshotAsync(page, "rule-dialog-settings-phone");
        await page.SetViewportSizeAsync(1400, 900);

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "team-nightly" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("lab-source / team");
        await Assertions.Expect(row).ToContainTextAsync("lab-mirror / mirror");
        await Assertions.Expect(row).ToContainTextAsync("Scheduled");
        await Assertions.Expect(row.Locator(".ra-cron-code")).ToHaveTextAsync("30 1 * * 1-5");
        await Assertions.Expect(row).ToContainTextAsync("next ");
        await Assertions.Expect(row).ToContainTextAsync("app*; tags v* except *-rc*");
        await Assertions.Expect(row.GetByRole(AriaRole.Switch)).ToBeCheckedAsync();
        await SignIn.ScreenshotAsync(page, "rules-page");

        // A reload reads the rule back from the database.
        await SignIn.GoToAsync(page, "/rules");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "team-nightly" })).ToBeVisibleAsync();
    }

    private const string DeleteRemote = "Delete remote images when deleted from source";

    private static async Task AddRegistryAsync(IPage page, string name, string url)
    {
        await SignIn.GoToAsync(page, "/registries");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Registry" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync(name);
        await dialog.GetByLabel("URL").FillAsync(url);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToBeVisibleAsync();
    }

    private static ILocator Field(ILocator dialog, string label) => dialog.GetByLabel(label, new() { Exact = true });

    private static async Task ChooseAsync(IPage page, ILocator dialog, string label, string option)
    {
        await Field(dialog, label).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true })).ToHaveCountAsync(0);
    }
}
