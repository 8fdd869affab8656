using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Components.Pages.RuleHistory;
using Replication.Admin.Components.Pages.Rules;
using Replication.Admin.Configuration;
using Replication.Admin.Executions;
using Replication.Admin.RuleHistory;

namespace Replication.Admin.Tests.Live;

/// <summary>A rule's page: its executions (paged on the server), who started them, the 30-day success rate, the durations sparkline.</summary>
public sealed class RuleHistoryPageTests : LiveComponentTestBase
{
    public RuleHistoryPageTests()
    {
        Services.AddSingleton<RuleHistoryQueries>();
        Services.AddScoped<ConfigImporter>();
    }

    [Fact]
    public async Task Lists_the_rules_executions_with_trigger_actor_duration_outcome_artifacts_and_bytes()
    {
        var rule = await CreateRuleAsync("history-mirror");
        var other = await CreateRuleAsync("other-rule");
        await SaveExecutionAsync(other, ExecutionStatus.Failed);
        var fast = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => (e.Total, e.Succeeded, e.BytesTransferred, e.FinishedAt) = (3, 3, 5 << 20, e.StartedAt!.Value.AddSeconds(4)));
        var failed = await SaveExecutionAsync(rule, ExecutionStatus.PartiallyFailed, e => (e.Total, e.Succeeded, e.Failed, e.TriggeredBy) = (3, 2, 1, "schedule"));
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => e.FinishedAt = e.StartedAt!.Value.AddMinutes(2));

        var page = Render<RuleHistoryPage>(p => p.Add(x => x.Id, rule));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".ra-rule-executions tbody tr").Count));
        Assert.Equal("0.667", page.Find(".ra-rule-rate").GetAttribute("data-rate"));
        Assert.Contains("2 of 3 finished runs succeeded", page.Markup, StringComparison.Ordinal);
        var rows = page.FindAll(".ra-rule-executions tbody tr");
        Assert.Contains($"executions/{failed.Id}", rows[1].InnerHtml, StringComparison.Ordinal);
        Assert.Contains("schedule", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("1 failed", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("partiallyFailed", rows[1].QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Contains("5.0 MiB", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("alice", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Equal($"executions/{fast.Id}", rows[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(3, page.FindAll("svg.ra-sparkline circle").Count);
        Assert.Single(page.FindAll("svg.ra-sparkline circle.ra-sparkline-partiallyFailed"));
    }

    [Fact]
    public async Task Pages_the_executions_on_the_server()
    {
        var rule = await CreateRuleAsync("busy-rule");
        for (var i = 0; i < RuleHistoryPage.PageSize + 5; i++)
        {
            await SaveExecutionAsync(rule, ExecutionStatus.Succeeded);
        }

        var page = Render<RuleHistoryPage>(p => p.Add(x => x.Id, rule));

        page.WaitForAssertion(() => Assert.Equal(RuleHistoryPage.PageSize, page.FindAll(".ra-rule-executions tbody tr").Count));
        page.FindAll(".mud-pagination-item button").First(b => b.TextContent.Trim() == "2").Click();
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll(".ra-rule-executions tbody tr").Count));
    }

    [Fact]
    public async Task Replicate_on_the_rules_page_starts_a_run()
    {
        var rule = await CreateRuleAsync("replicate-here");
        var page = Render<RuleHistoryPage>(p => p.Add(x => x.Id, rule));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("button.ra-replicate")));

        page.Find("button.ra-replicate").Click();

        page.WaitForAssertion(() => Assert.Equal([$"replicate {rule} by alice"], Commands.Calls));
    }

    [Fact]
    public void A_missing_rule_says_so()
    {
        var page = Render<RuleHistoryPage>(p => p.Add(x => x.Id, 999));

        page.WaitForAssertion(() => Assert.Contains("There is no replication rule with id 999", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_rules_list_links_each_rule_to_its_page()
    {
        var rule = await CreateRuleAsync("linked-rule");

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.Equal($"rules/{rule}", page.Find("a.ra-rule-link").GetAttribute("href")));
    }
}
