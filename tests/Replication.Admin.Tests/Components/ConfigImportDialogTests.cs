using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Components.Pages.Configuration;
using Replication.Admin.Configuration;

namespace Replication.Admin.Tests.Components;

/// <summary>The import dialog: a dry run lists what would happen and changes nothing; Import applies it; bad YAML says where.</summary>
public sealed class ConfigImportDialogTests : ComponentTestBase
{
    private const string File = """
        version: 1
        registries:
        - name: dialog-src
          url: https://dialog-src.example.com
          username: robot
        - name: dialog-dst
          url: https://dialog-dst.example.com
        rules:
        - name: dialog-rule
          sourceRegistry: dialog-src
          sourceProject: team
          destinationRegistry: dialog-dst
        """;

    public ConfigImportDialogTests() => Services.AddScoped<ConfigImporter>();

    [Fact]
    public async Task A_dry_run_asks_for_the_missing_password_lists_what_would_be_created_then_Import_applies_it()
    {
        var (host, dialog) = await ShowDialogAsync<ConfigImportDialog>();
        Field(host, "YAML").Input(File);

        Click(host, "Dry run");
        host.WaitForAssertion(() => Assert.Contains("registries[dialog-src].password", host.Find(".ra-config-errors").TextContent, StringComparison.Ordinal));
        Assert.True(Button(host, "Import").HasAttribute("disabled"));
        Field(host, "Password for registry 'dialog-src'").Input("Robot-Passw0rd");
        Click(host, "Dry run");

        host.WaitForAssertion(() => Assert.Contains("Create (3)", host.Find(".ra-config-summary").TextContent, StringComparison.Ordinal));
        Assert.Empty(await Rules.ListAsync());
        Click(host, "Import");

        var result = await dialog.Result;
        Assert.Equal(3, ((ConfigImportResult)result!.Data!).Create.Count);
        Assert.Equal(["dialog-rule"], (await Rules.ListAsync()).Select(r => r.Name));
        Assert.True((await Registries.ListAsync()).Single(r => r.Name == "dialog-src").HasPassword);
    }

    [Fact]
    public async Task Bad_yaml_shows_the_line_and_column()
    {
        var (host, _) = await ShowDialogAsync<ConfigImportDialog>();
        Field(host, "YAML").Input("version: 1\nrules: [\n");

        Click(host, "Dry run");

        host.WaitForAssertion(() => Assert.Matches(@"Line \d+, column \d+", host.Find(".ra-config-syntax-error").TextContent));
    }

    [Fact]
    public void Viewers_export_but_see_no_import()
    {
        SignInAsViewer();

        var buttons = Render<RulesAsCodeButtons>();

        Assert.Equal("/api/v1/config", buttons.Find("a.ra-export-config").GetAttribute("href"));
        Assert.Empty(buttons.FindAll(".ra-import-config"));
    }
}
