using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Replication.Admin.Components.Pages.Registries;
using Replication.Admin.Registries;
using Replication.Registry;

namespace Replication.Admin.Tests.Components;

public sealed class RegistriesPageTests : ComponentTestBase
{
    [Fact]
    public async Task The_list_shows_name_url_type_credential_and_status()
    {
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "harbor-prod", Url = "https://harbor.example.com", Type = RegistryTypes.Harbor, Username = "robot", Password = "pw-1" }, "alice");
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice");

        var page = RenderPage<RegistriesPage>();

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        var harbor = Row(page, "harbor-prod");
        Assert.Contains("https://harbor.example.com", harbor.TextContent, StringComparison.Ordinal);
        Assert.Contains("Harbor", harbor.TextContent, StringComparison.Ordinal);
        Assert.Contains("robot", harbor.TextContent, StringComparison.Ordinal);
        Assert.Contains("Unknown", harbor.TextContent, StringComparison.Ordinal);
        Assert.Contains("never checked", harbor.TextContent, StringComparison.Ordinal);
        Assert.Contains("Anonymous", Row(page, "lab").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-1", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_Connection_in_the_list_records_the_status_and_time()
    {
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice");
        RegistryClients.NextPing = new PingResult(PingOutcome.Ok, "Connected (registry/2.0)", "registry/2.0");
        var page = RenderPage<RegistriesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)));

        RowButton(page, "lab", "Test Connection to lab").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Healthy", Row(page, "lab").TextContent, StringComparison.Ordinal);
            Assert.Contains("checked just now", Row(page, "lab").TextContent, StringComparison.Ordinal);
        });
        var saved = Assert.Single(await Registries.ListAsync());
        Assert.Equal(RegistryStatus.Healthy, saved.Status);
        Assert.NotNull(saved.LastCheckedAt);
    }

    [Fact]
    public async Task Delete_asks_first_and_keeps_the_registry_when_cancelled()
    {
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice");
        var page = RenderPage<RegistriesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)));

        RowButton(page, "lab", "Delete lab").Click();
        page.WaitForAssertion(() => Assert.Contains("Delete registry 'lab'", page.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        Click(page, "Cancel");

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")));
        Assert.Single(await Registries.ListAsync());
    }

    [Fact]
    public async Task Delete_removes_the_registry_once_confirmed()
    {
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice");
        var page = RenderPage<RegistriesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)));

        RowButton(page, "lab", "Delete lab").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".mud-dialog")));
        page.Find(".mud-dialog").QuerySelectorAll("button").First(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Contains("No registries yet", page.Markup, StringComparison.Ordinal));
        Assert.Empty(await Registries.ListAsync());
    }

    [Fact]
    public async Task A_viewer_sees_the_registries_but_no_way_to_change_them()
    {
        SignInAsViewer();
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice");

        var page = RenderPage<RegistriesPage>();

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("New Registry", StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[aria-label='Delete lab'], [aria-label='Edit lab'], [aria-label='Test Connection to lab']"));
        Assert.NotEmpty(page.FindAll("[aria-label='Browse lab']"));
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<IComponent> page) => page.FindAll("tbody tr");

    private static IElement Row(IRenderedComponent<IComponent> page, string name) =>
        Rows(page).First(r => r.QuerySelector(".ra-cell-title")?.TextContent.Trim() == name);

    private static IElement RowButton(IRenderedComponent<IComponent> page, string name, string label) =>
        Row(page, name).QuerySelector($"button[aria-label='{label}']") ?? throw new InvalidOperationException($"No button '{label}'.");
}
