using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Replication.Admin.Audit;
using Replication.Admin.Components.Pages.Rules;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using Microsoft.Extensions.DependencyInjection;

namespace Replication.Admin.Tests.Components;

public sealed class RulesPageTests : ComponentTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_grid_shows_name_route_trigger_with_next_run_and_enabled()
    {
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("nightly", source, destination, new TriggerInput { Mode = TriggerModes.Scheduled, Cron = "0 2 * * *" }, destinationProject: "mirror");
        await CreateRuleAsync("on-push", source, destination, new TriggerInput { Mode = TriggerModes.Immediate, ReplicateDeletions = true }, enabled: false);

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);
        var nightly = Row(page, "nightly").TextContent;
        Assert.Contains("source / team", nightly, StringComparison.Ordinal);
        Assert.Contains("destination / mirror", nightly, StringComparison.Ordinal);
        Assert.Contains("Scheduled", nightly, StringComparison.Ordinal);
        Assert.Contains("0 2 * * *", nightly, StringComparison.Ordinal);
        Assert.Contains("next ", nightly, StringComparison.Ordinal);
        Assert.Contains("all repositories; tags v*", nightly, StringComparison.Ordinal);
        var onPush = Row(page, "on-push").TextContent;
        Assert.Contains("destination / team", onPush, StringComparison.Ordinal);
        Assert.Contains("on push and delete", onPush, StringComparison.Ordinal);
        Assert.True(Switch(page, "nightly").HasAttribute("checked"));
        Assert.False(Switch(page, "on-push").HasAttribute("checked"));
    }

    [Fact]
    public async Task The_enabled_switch_turns_a_rule_off_and_is_audited()
    {
        var (source, destination) = await AddRegistriesAsync();
        var rule = await CreateRuleAsync("nightly", source, destination);
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);

        Switch(page, "nightly").Change(false);

        page.WaitForAssertion(() => Assert.False(Switch(page, "nightly").HasAttribute("checked")), Wait);
        Assert.False((await Rules.GetAsync(rule.Id))!.Enabled);
        var entry = (await Services.GetRequiredService<AuditLog>().RecentAsync()).First(e => e.Action == AuditActions.RuleUpdate);
        Assert.Equal("enabled: 'on' -> 'off'", entry.Details);
    }

    [Fact]
    public async Task Delete_asks_first_and_removes_the_rule_once_confirmed()
    {
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("nightly", source, destination);
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);

        RowButton(page, "nightly", "Delete nightly").Click();
        page.WaitForAssertion(() => Assert.Contains("Delete rule 'nightly'", page.Find(".mud-dialog").TextContent, StringComparison.Ordinal), Wait);
        Click(page, "Cancel");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")), Wait);
        Assert.Single(await Rules.ListAsync());

        RowButton(page, "nightly", "Delete nightly").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".mud-dialog")), Wait);
        page.Find(".mud-dialog").QuerySelectorAll("button").First(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Contains("No replication rules yet", page.Markup, StringComparison.Ordinal), Wait);
        Assert.Empty(await Rules.ListAsync());
    }

    [Fact]
    public async Task Dry_run_shows_why_it_could_not_plan_when_the_registry_refuses()
    {
        RegistryClients.RefuseCatalog = true;
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("nightly", source, destination);
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);

        RowButton(page, "nightly", "Dry run nightly").Click();

        page.WaitForAssertion(() => Assert.Contains("does not allow listing its repositories", page.Find(".ra-dry-run-error").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("Repository names", page.Find(".ra-dry-run-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("Dry run: nightly", page.Find(".mud-dialog").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_filter_summary_shows_the_repository_names_of_a_rule()
    {
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("named", source, destination, names: ["app", "tools/cli"]);

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.Contains("app, tools/cli; tags v*", Row(page, "named").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_Replication_Rule_opens_the_dialog_and_a_saved_rule_appears_in_the_grid()
    {
        await AddRegistriesAsync();
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.Contains("No replication rules yet", page.Markup, StringComparison.Ordinal), Wait);

        page.FindAll("button").First(b => b.TextContent.Trim() == "New Replication Rule").Click();

        page.WaitForAssertion(() => Assert.Contains("New Replication Rule", page.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal), Wait);
        Click(page, "Cancel");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")), Wait);
    }

    [Fact]
    public async Task A_viewer_sees_the_rules_but_no_way_to_change_or_run_them()
    {
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("nightly", source, destination);
        SignInAsViewer();

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.Single(Rows(page)), Wait);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("New Replication Rule", StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[aria-label='Delete nightly'], [aria-label='Edit nightly'], [aria-label='Dry run nightly']"));
        Assert.Empty(Row(page, "nightly").QuerySelectorAll("input[type=checkbox]"));
        Assert.Contains("Enabled", Row(page, "nightly").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_registry_a_rule_uses_is_refused_with_the_rule_name()
    {
        var (source, destination) = await AddRegistriesAsync();
        await CreateRuleAsync("nightly", source, destination);

        var result = await Registries.DeleteAsync(destination.Id, "alice");

        Assert.Equal(RegistryDeleteOutcome.InUse, result.Outcome);
        Assert.Contains("'nightly'", result.Message, StringComparison.Ordinal);
        Assert.Equal(["nightly"], result.UsedByRules);
        Assert.Equal(2, (await Registries.ListAsync()).Count);
    }

    private async Task<(RegistryView Source, RegistryView Destination)> AddRegistriesAsync()
    {
        var source = await Registries.CreateAsync(new RegistryEndpointInput { Name = "source", Url = "http://127.0.0.1:5001" }, "alice");
        var destination = await Registries.CreateAsync(new RegistryEndpointInput { Name = "destination", Url = "http://127.0.0.1:5002" }, "alice");
        return (source.Registry!, destination.Registry!);
    }

    private async Task<ReplicationRuleView> CreateRuleAsync(
        string name, RegistryView source, RegistryView destination, TriggerInput? trigger = null, string destinationProject = "", bool enabled = true, List<string>? names = null)
    {
        var result = await Rules.CreateAsync(
            new ReplicationRuleInput
            {
                Name = name,
                SourceRegistryId = source.Id,
                SourceProject = "team",
                Repositories = new RepositoryFilterInput { Names = names ?? [] },
                Tags = new PatternFilterInput { Include = ["v*"] },
                DestinationRegistryId = destination.Id,
                DestinationProject = destinationProject,
                Trigger = trigger ?? new TriggerInput(),
                Enabled = enabled,
            },
            "alice");
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.SelectMany(e => e.Value)));
        return result.Rule!;
    }

    private static List<IElement> Rows(IRenderedComponent<IComponent> page) =>
        page.FindAll(".ra-rules-grid tbody tr").Where(r => r.QuerySelector(".ra-cell-title") is not null).ToList();

    private static IElement Row(IRenderedComponent<IComponent> page, string name) =>
        Rows(page).First(r => r.QuerySelector(".ra-cell-title")?.TextContent.Trim() == name);

    private static IElement Switch(IRenderedComponent<IComponent> page, string name) =>
        Row(page, name).QuerySelector("input[type=checkbox]") ?? throw new InvalidOperationException($"No switch in the row of '{name}'.");

    private static IElement RowButton(IRenderedComponent<IComponent> page, string name, string label) =>
        Row(page, name).QuerySelector($"button[aria-label='{label}']") ?? throw new InvalidOperationException($"No button '{label}'.");
}
