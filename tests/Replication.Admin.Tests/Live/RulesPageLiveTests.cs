using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Replication.Admin.Components.Pages.Rules;
using Replication.Admin.Executions;

namespace Replication.Admin.Tests.Live;

/// <summary>What executions add to the rules page: Replicate, and the last execution kept live.</summary>
public sealed class RulesPageLiveTests : LiveComponentTestBase
{
    [Fact]
    public async Task Replicate_starts_a_manual_run_and_links_to_it()
    {
        var rule = await CreateRuleAsync("nightly-mirror");
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.NotNull(ReplicateButton(page, "nightly-mirror")));

        ReplicateButton(page, "nightly-mirror")!.Click();

        page.WaitForAssertion(() =>
        {
            Assert.Equal([$"replicate {rule} by alice"], Commands.Calls);
            Assert.Contains($"Execution {Commands.NextExecutionId} started.", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal);
            Assert.Contains("View", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task The_last_execution_shows_the_saved_one_then_follows_a_new_run_live()
    {
        var rule = await CreateRuleAsync("nightly-mirror");
        var earlier = await SaveExecutionAsync(rule, ExecutionStatus.Failed);
        var page = RenderPage<RulesPage>();
        page.WaitForAssertion(() => Assert.Equal("failed", LastExecution(page, rule).GetAttribute("data-status")));
        Assert.Equal($"executions/{earlier.Id}", LastExecution(page, rule).QuerySelector("a")!.GetAttribute("href"));

        var run = await SaveExecutionAsync(rule, ExecutionStatus.Running, e => e.Total = 4);
        await PublishAsync(Progress(run, ExecutionStatus.Running, p => p with { Succeeded = 1, BytesDone = 1 << 20, BytesTotal = 4 << 20 }));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("running", LastExecution(page, rule).GetAttribute("data-status"));
            Assert.Equal($"executions/{run.Id}", LastExecution(page, rule).QuerySelector("a")!.GetAttribute("href"));
            Assert.Contains("1 / 4 artifacts", LastExecution(page, rule).TextContent, StringComparison.Ordinal);
        });

        await PublishAsync(Progress(run, ExecutionStatus.Succeeded, p => p with { Succeeded = 4, BytesDone = 4 << 20, BytesTotal = 4 << 20, FinishedAt = DateTimeOffset.UtcNow }));
        page.WaitForAssertion(() => Assert.Equal("succeeded", LastExecution(page, rule).GetAttribute("data-status")));
    }

    [Fact]
    public async Task A_disabled_rule_cannot_be_replicated()
    {
        var rule = await CreateRuleAsync("paused");
        await using (var db = await Db())
        {
            (await db.ReplicationRules.FindAsync(rule))!.Enabled = false;
            await db.SaveChangesAsync();
        }

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.NotNull(ReplicateButton(page, "paused")));
        Assert.True(ReplicateButton(page, "paused")!.HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_viewer_sees_the_last_execution_but_no_Replicate()
    {
        SignInAsViewer();
        var rule = await CreateRuleAsync("nightly-mirror");
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded);

        var page = RenderPage<RulesPage>();

        page.WaitForAssertion(() => Assert.Equal("succeeded", LastExecution(page, rule).GetAttribute("data-status")));
        Assert.Null(ReplicateButton(page, "nightly-mirror"));
    }

    private static IElement? ReplicateButton(IRenderedComponent<IComponent> page, string rule) =>
        page.FindAll($"button[aria-label='Replicate {rule}']") is { Count: > 0 } found ? found[0] : null;

    private static IElement LastExecution(IRenderedComponent<IComponent> page, int ruleId) => page.Find($".ra-rule-last[data-rule='{ruleId}']");
}
