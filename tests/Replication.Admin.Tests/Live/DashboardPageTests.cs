using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Components.Pages.Dashboard;
using Replication.Admin.Executions;

namespace Replication.Admin.Tests.Live;

public sealed class DashboardPageTests : LiveComponentTestBase
{
    [Fact]
    public async Task Saved_executions_show_newest_first_with_status_trigger_and_rule()
    {
        var rule = await CreateRuleAsync("nightly-mirror");
        var done = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => { e.Succeeded = 3; e.UpToDate = 1; e.Total = 4; e.BytesDone = 5 << 20; });
        var retryAt = new DateTimeOffset(2030, 1, 2, 14, 5, 0, TimeSpan.Zero);
        var failed = await SaveExecutionAsync(rule, ExecutionStatus.Failed, e => { e.Total = 2; e.Failed = 2; e.RetryAt = retryAt; e.Trigger = ExecutionTrigger.Scheduled; });

        var page = RenderPage<DashboardPage>();

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        Assert.Equal([failed.Id, done.Id], Rows(page).Select(RowId));
        Assert.Equal("failed", Status(Row(page, failed.Id)));
        Assert.Contains("retrying at 14:05", Row(page, failed.Id).TextContent, StringComparison.Ordinal);
        Assert.Contains("Scheduled", Row(page, failed.Id).TextContent, StringComparison.Ordinal);
        Assert.Equal("succeeded", Status(Row(page, done.Id)));
        Assert.Contains("3 replicated · 1 up to date", Row(page, done.Id).TextContent, StringComparison.Ordinal);
        var ruleLink = Row(page, done.Id).QuerySelectorAll("a").First(a => a.TextContent.Trim() == "nightly-mirror");
        Assert.Equal($"?rule={rule}", ruleLink.GetAttribute("href"));
        Assert.Equal($"executions/{done.Id}", Row(page, done.Id).QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Live_progress_moves_the_bars_and_counts_and_the_end_changes_the_chip()
    {
        var rule = await CreateRuleAsync();
        var running = await SaveExecutionAsync(rule, ExecutionStatus.Running, e => { e.Total = 10; e.BytesTotal = 100 << 20; });
        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal("running", Status(Row(page, running.Id))));

        await PublishAsync(Progress(running, ExecutionStatus.Running, p => p with { Succeeded = 3, BytesDone = 40 << 20, BytesTransferred = 30 << 20, BytesTotal = 100 << 20, BytesPerSecond = 10 << 20, Eta = TimeSpan.FromSeconds(7) }));

        page.WaitForAssertion(() =>
        {
            var bars = Row(page, running.Id).QuerySelector(".ra-progress")!;
            Assert.Equal("3", bars.GetAttribute("data-artifacts-done"));
            Assert.Equal((40 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), bars.GetAttribute("data-bytes-done"));
            Assert.Contains("3 / 10", bars.TextContent, StringComparison.Ordinal);
            Assert.Contains("40.0 MiB / 100.0 MiB", bars.TextContent, StringComparison.Ordinal);
            Assert.Contains("10.0 MiB/s", bars.TextContent, StringComparison.Ordinal);
            Assert.Contains("7 s left", bars.TextContent, StringComparison.Ordinal);
            Assert.Equal("30.0 MiB", Tile(page, "bytes"));
        });

        await PublishAsync(Progress(running, ExecutionStatus.Running, p => p with { Succeeded = 8, BytesDone = 80 << 20, BytesTotal = 100 << 20 }));
        page.WaitForAssertion(() => Assert.Equal("8", Row(page, running.Id).QuerySelector(".ra-progress")!.GetAttribute("data-artifacts-done")));

        await PublishAsync(Progress(running, ExecutionStatus.Succeeded, p => p with { Succeeded = 10, BytesDone = 100 << 20, BytesTotal = 100 << 20, FinishedAt = DateTimeOffset.UtcNow }));
        page.WaitForAssertion(() =>
        {
            Assert.Equal("succeeded", Status(Row(page, running.Id)));
            Assert.Null(Row(page, running.Id).QuerySelector(".ra-progress"));
            Assert.Contains("10 replicated", Row(page, running.Id).TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_new_execution_appears_at_the_top_when_it_is_published()
    {
        var rule = await CreateRuleAsync();
        var older = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded);
        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Single(Rows(page)));

        var queued = await SaveExecutionAsync(rule, ExecutionStatus.Pending);
        await PublishAsync(Progress(queued, ExecutionStatus.Pending));

        page.WaitForAssertion(() =>
        {
            Assert.Equal([queued.Id, older.Id], Rows(page).Select(RowId));
            Assert.Equal("pending", Status(Row(page, queued.Id)));
        });
    }

    [Fact]
    public async Task Tiles_count_running_and_the_last_day()
    {
        var rule = await CreateRuleAsync();
        await SaveExecutionAsync(rule, ExecutionStatus.Running);
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => { e.BytesDone = 5 << 20; e.BytesTransferred = 3 << 20; });
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => { e.BytesDone = 1 << 20; e.BytesTransferred = 1 << 20; });

        // Found up to date: in place, but nothing crossed the network, so the tile does not count it.
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => { e.BytesTotal = 620 << 20; e.BytesDone = 620 << 20; });
        await SaveExecutionAsync(rule, ExecutionStatus.PartiallyFailed);
        await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, e => e.CreatedAt = DateTimeOffset.UtcNow.AddDays(-3));

        var page = RenderPage<DashboardPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal("1", Tile(page, "running"));
            Assert.Equal("3", Tile(page, "succeeded"));
            Assert.Equal("1", Tile(page, "failed"));
            Assert.Equal("4.0 MiB", Tile(page, "bytes"));
        });
    }

    [Fact]
    public async Task Filters_by_status_and_rule_come_from_the_address()
    {
        var first = await CreateRuleAsync("first");
        var second = await CreateRuleAsync("second");
        var failed = await SaveExecutionAsync(first, ExecutionStatus.Failed);
        await SaveExecutionAsync(first, ExecutionStatus.Succeeded);
        var other = await SaveExecutionAsync(second, ExecutionStatus.Succeeded);
        var navigation = Services.GetRequiredService<BunitNavigationManager>();

        navigation.NavigateTo("/?status=failed");
        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal([failed.Id], Rows(page).Select(RowId)));

        navigation.NavigateTo($"/?rule={second}");
        page.WaitForAssertion(() => Assert.Equal([other.Id], Rows(page).Select(RowId)));

        navigation.NavigateTo($"/?rule={second}&status=failed");
        page.WaitForAssertion(() => Assert.Contains("No executions match these filters.", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pages_hold_twenty_executions_and_name_the_range()
    {
        var rule = await CreateRuleAsync();
        var ids = new List<long>();
        for (var i = 0; i < 45; i++)
        {
            ids.Add((await SaveExecutionAsync(rule, ExecutionStatus.Succeeded)).Id);
        }

        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal(DashboardPage.PageSize, Rows(page).Count));
        Assert.Contains("1–20 of 45", page.Find(".ra-pager").TextContent, StringComparison.Ordinal);
        Assert.Equal(ids[^1], RowId(Rows(page)[0]));

        Services.GetRequiredService<BunitNavigationManager>().NavigateTo("/?page=3");
        page.WaitForAssertion(() => Assert.Equal(5, Rows(page).Count));
        Assert.Contains("41–45 of 45", page.Find(".ra-pager").TextContent, StringComparison.Ordinal);
        Assert.Equal(ids[4], RowId(Rows(page)[0]));
    }

    [Fact]
    public async Task Leaving_the_page_ends_its_subscription()
    {
        await CreateRuleAsync();
        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal(1, Live.WatcherCount));

        await DisposeComponentsAsync();

        Assert.Equal(0, Live.WatcherCount);
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<IComponent> page) => page.FindAll(".ra-executions tbody tr");

    private static long RowId(IElement row) => long.Parse(row.QuerySelector("a")!.TextContent.Trim().TrimStart('#'), System.Globalization.CultureInfo.InvariantCulture);

    private static IElement Row(IRenderedComponent<IComponent> page, long id) => Rows(page).First(r => RowId(r) == id);

    private static string? Status(IElement row) => row.QuerySelector(".ra-status")?.GetAttribute("data-status");

    private static string Tile(IRenderedComponent<IComponent> page, string tile) =>
        page.Find($"[data-tile='{tile}'] .ra-tile-value").TextContent.Trim();
}
