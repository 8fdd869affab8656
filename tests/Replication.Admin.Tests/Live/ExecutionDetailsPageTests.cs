using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Replication.Admin.Components.Pages.Executions;
using Replication.Admin.Executions;

namespace Replication.Admin.Tests.Live;

public sealed class ExecutionDetailsPageTests : LiveComponentTestBase
{
    [Fact]
    public async Task The_header_and_tasks_show_what_was_saved()
    {
        var rule = await CreateRuleAsync("nightly-mirror");
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.PartiallyFailed, tasks: 3, configure: e =>
        {
            e.Succeeded = 2;
            e.Failed = 1;
            e.BytesDone = 2 << 20;
            e.BytesTotal = 3 << 20;
            e.Error = null;
            e.Tasks[0].Status = ExecutionTaskStatus.Succeeded;
            e.Tasks[0].Attempts = 1;
            e.Tasks[0].Log = "10:00:01 Copying team/app0:v1 to team/app0:v1\n10:00:02 Copied in 0.4 s (1.0 MiB transferred)\n";
            e.Tasks[1].Status = ExecutionTaskStatus.Succeeded;
            e.Tasks[2].Status = ExecutionTaskStatus.Failed;
            e.Tasks[2].Attempts = 3;
            e.Tasks[2].Error = "The destination refused the upload (503 Service Unavailable).";
        });

        var page = RenderExecution(execution.Id);

        page.WaitForAssertion(() => Assert.Equal(3, TaskRows(page).Count));
        Assert.Equal("partiallyFailed", page.Find(".ra-execution-title .ra-status").GetAttribute("data-status"));
        Assert.Contains("nightly-mirror", page.Find(".ra-execution-title").TextContent, StringComparison.Ordinal);
        Assert.Equal("3 / 3", Fact(page, "Artifacts"));
        Assert.Equal("1", Fact(page, "Failed"));
        Assert.Equal("2.0 MiB / 3.0 MiB", Fact(page, "Bytes in place"));
        var failedRow = TaskRows(page)[2];
        Assert.Contains("team/app2:v1", failedRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("503 Service Unavailable", failedRow.TextContent, StringComparison.Ordinal);
        Assert.Equal("failed", failedRow.QuerySelector(".ra-task-status")!.GetAttribute("data-status"));
        Assert.Contains("sha256:02aaaaaaaaaa", failedRow.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256:02" + new string('a', 62), failedRow.TextContent, StringComparison.Ordinal);
        Assert.NotNull(failedRow.QuerySelector("button[aria-label='Copy digest']"));
        Assert.Contains("Copied in 0.4 s", page.Find(".ra-log").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_progress_updates_tasks_counts_and_log_then_the_end_changes_the_chip()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Running, tasks: 2, configure: e => e.BytesTotal = 2 << 20);
        var task = execution.Tasks[0];
        var page = RenderExecution(execution.Id);
        page.WaitForAssertion(() => Assert.Equal(2, TaskRows(page).Count));

        await PublishAsync(Progress(execution, ExecutionStatus.Running, p => p with
        {
            BytesDone = 512 << 10,
            BytesTotal = 2 << 20,
            BytesTotalFinal = false,
            Tasks = [new ExecutionTaskProgress(task.Id, "team/app0:v1", ExecutionTaskStatus.Running, 1, 512 << 10, 1 << 20, null)],
            NewLogLines = [new ExecutionLogLine(task.Id, DateTimeOffset.UtcNow, "Copying team/app0:v1 to team/app0:v1")],
        }));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("running", TaskRows(page)[0].QuerySelector(".ra-task-status")!.GetAttribute("data-status"));
            Assert.Equal((512 << 10).ToString(System.Globalization.CultureInfo.InvariantCulture), TaskRows(page)[0].QuerySelector(".ra-task-bytes")!.GetAttribute("data-bytes-done"));
            Assert.Contains("512.0 KiB / 1.0 MiB", TaskRows(page)[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("team/app0:v1Copying team/app0:v1 to team/app0:v1", page.Find(".ra-log").TextContent, StringComparison.Ordinal);
            Assert.Equal("0 / 2", Fact(page, "Artifacts"));

            // A run still sizing its later copies says its total is not final.
            Assert.Equal("512.0 KiB / 2.0 MiB so far", Fact(page, "Bytes in place"));
            Assert.EndsWith("so far", page.Find(".ra-progress-value[title]").TextContent, StringComparison.Ordinal);
        });

        await PublishAsync(Progress(execution, ExecutionStatus.Running, p => p with
        {
            Succeeded = 1,
            BytesDone = 1 << 20,
            BytesTotal = 2 << 20,
            Tasks = [new ExecutionTaskProgress(task.Id, "team/app0:v1", ExecutionTaskStatus.Succeeded, 1, 1 << 20, 1 << 20, null)],
        }));
        page.WaitForAssertion(() =>
        {
            Assert.Equal("1 / 2", Fact(page, "Artifacts"));
            Assert.Equal("succeeded", TaskRows(page)[0].QuerySelector(".ra-task-status")!.GetAttribute("data-status"));
            Assert.Equal("1.0 MiB / 2.0 MiB", Fact(page, "Bytes in place"));
        });

        // The job saves the end before it publishes it.
        await using (var db = await Db())
        {
            var saved = await db.Executions.FindAsync(execution.Id);
            saved!.Status = ExecutionStatus.Succeeded;
            saved.Succeeded = 2;
            saved.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        await PublishAsync(Progress(execution, ExecutionStatus.Succeeded, p => p with { Succeeded = 2, BytesDone = 2 << 20, BytesTotal = 2 << 20, FinishedAt = DateTimeOffset.UtcNow }));
        page.WaitForAssertion(() =>
        {
            Assert.Equal("succeeded", page.Find(".ra-execution-title .ra-status").GetAttribute("data-status"));
            Assert.Null(ButtonOrNull(page, "Stop"));
        });
    }

    [Fact]
    public async Task An_administrator_can_stop_a_running_execution()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Running, tasks: 1);
        var page = RenderExecution(execution.Id);
        page.WaitForAssertion(() => Assert.NotNull(ButtonOrNull(page, "Stop")));
        Assert.Null(ButtonOrNull(page, "Retry failed"));

        Button(page, "Stop").Click();
        page.WaitForAssertion(() => Assert.Contains("Stop execution", page.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        page.Find(".mud-dialog").QuerySelectorAll("button").First(b => b.TextContent.Trim() == "Stop").Click();

        page.WaitForAssertion(() => Assert.Equal([$"stop {execution.Id} by alice"], Commands.Calls));
    }

    [Fact]
    public async Task Retry_failed_appears_when_tasks_failed_and_opens_the_retry()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Failed, tasks: 1, configure: e =>
        {
            e.Failed = 1;
            e.Tasks[0].Status = ExecutionTaskStatus.Failed;
        });
        var page = RenderExecution(execution.Id);
        page.WaitForAssertion(() => Assert.NotNull(ButtonOrNull(page, "Retry failed")));
        Assert.Null(ButtonOrNull(page, "Stop"));

        Button(page, "Retry failed").Click();

        page.WaitForAssertion(() => Assert.Equal([$"retry {execution.Id} by alice"], Commands.Calls));
        Assert.EndsWith($"/executions/{Commands.NextExecutionId}", Services.GetRequiredService<BunitNavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_execution_that_a_retry_fixed_links_to_it_and_offers_no_second_retry()
    {
        var rule = await CreateRuleAsync();
        var failed = await SaveExecutionAsync(rule, ExecutionStatus.Failed, tasks: 1, configure: e => { e.Failed = 1; e.Tasks[0].Status = ExecutionTaskStatus.Failed; });
        var retry = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, tasks: 1, configure: e =>
        {
            e.Trigger = ExecutionTrigger.Retry;
            e.ParentExecutionId = failed.Id;
            e.Succeeded = 1;
            e.Tasks[0].Status = ExecutionTaskStatus.Succeeded;
        });

        var page = RenderExecution(failed.Id);

        page.WaitForAssertion(() => Assert.Contains($"#{retry.Id} — succeeded", page.Find(".ra-retried-by").TextContent, StringComparison.Ordinal));
        Assert.Equal($"executions/{retry.Id}", page.Find($"[data-retry='{retry.Id}']").GetAttribute("href"));
        Assert.Null(ButtonOrNull(page, "Retry failed"));
        await DisposeComponentsAsync();

        var retryPage = RenderExecution(retry.Id);
        retryPage.WaitForAssertion(() => Assert.Contains($"retry of #{failed.Id}", retryPage.Find(".ra-execution-title").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retry_that_found_everything_up_to_date_shows_nothing_transferred()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, tasks: 2, configure: e =>
        {
            e.Trigger = ExecutionTrigger.Retry;
            e.UpToDate = 2;
            e.BytesTotal = e.BytesDone = 620 << 20;
            e.BytesTransferred = 0;
            foreach (var task in e.Tasks)
            {
                task.Status = ExecutionTaskStatus.UpToDate;
                task.BytesTotal = task.BytesDone = 310 << 20;
            }
        });

        var page = RenderExecution(execution.Id);

        page.WaitForAssertion(() => Assert.Equal("0 B", Fact(page, "Transferred")));
        Assert.Equal("620.0 MiB / 620.0 MiB", Fact(page, "Bytes in place"));
        Assert.All(TaskRows(page), row => Assert.Equal("0", row.QuerySelector("[data-bytes-transferred]")!.GetAttribute("data-bytes-transferred")));
    }

    [Fact]
    public async Task Log_lines_published_before_the_page_opened_are_shown()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Running, tasks: 1);
        var taskId = execution.Tasks[0].Id;

        // The run logged before anyone watched, and nothing is saved yet.
        await PublishAsync(Progress(execution, ExecutionStatus.Running, p => p with
        {
            Tasks = [new ExecutionTaskProgress(taskId, "team/app0:v1", ExecutionTaskStatus.Running, 1, 0, 1 << 20, null)],
            NewLogLines = [new ExecutionLogLine(taskId, DateTimeOffset.UtcNow, "Copying team/app0:v1 to team/app0:v1")],
        }));

        var page = RenderExecution(execution.Id);

        page.WaitForAssertion(() => Assert.Contains("Copying team/app0:v1 to team/app0:v1", page.Find(".ra-log").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("No log lines yet", page.Find(".ra-log").TextContent, StringComparison.Ordinal);

        // A line saved and published both shows once.
        await PublishAsync(Progress(execution, ExecutionStatus.Running, p => p with
        {
            NewLogLines = [new ExecutionLogLine(taskId, DateTimeOffset.UtcNow, "Pushed manifest team/app0:v1")],
        }));
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".ra-log-line"), l => l.TextContent.Contains("Pushed manifest", StringComparison.Ordinal)));
        Assert.Single(page.FindAll(".ra-log-line"), l => l.TextContent.Contains("Copying team/app0:v1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_succeeded_execution_offers_neither_stop_nor_retry()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, tasks: 1, configure: e => { e.Succeeded = 1; e.Tasks[0].Status = ExecutionTaskStatus.Succeeded; });

        var page = RenderExecution(execution.Id);

        page.WaitForAssertion(() => Assert.Single(TaskRows(page)));
        Assert.Null(ButtonOrNull(page, "Stop"));
        Assert.Null(ButtonOrNull(page, "Retry failed"));
    }

    [Fact]
    public async Task A_viewer_sees_no_stop_or_retry()
    {
        SignInAsViewer();
        var rule = await CreateRuleAsync();
        var running = await SaveExecutionAsync(rule, ExecutionStatus.Running, tasks: 1);
        var failed = await SaveExecutionAsync(rule, ExecutionStatus.Failed, tasks: 1, configure: e => { e.Failed = 1; e.Tasks[0].Status = ExecutionTaskStatus.Failed; });

        var runningPage = RenderExecution(running.Id);
        runningPage.WaitForAssertion(() => Assert.Single(TaskRows(runningPage)));
        Assert.Null(ButtonOrNull(runningPage, "Stop"));
        await DisposeComponentsAsync();

        var failedPage = RenderExecution(failed.Id);
        failedPage.WaitForAssertion(() => Assert.Single(TaskRows(failedPage)));
        Assert.Null(ButtonOrNull(failedPage, "Retry failed"));
    }

    [Fact]
    public async Task Search_pages_through_the_matching_tasks_from_the_database()
    {
        var rule = await CreateRuleAsync();
        var execution = await SaveExecutionAsync(rule, ExecutionStatus.Succeeded, tasks: 120, configure: e =>
        {
            e.Succeeded = 120;
            foreach (var task in e.Tasks)
            {
                task.Status = ExecutionTaskStatus.Succeeded;
            }
        });
        var page = RenderExecution(execution.Id);
        page.WaitForAssertion(() => Assert.Equal(ExecutionDetailsPage.TaskPageSize, TaskRows(page).Count));

        // team/app11 and team/app110 … app119: eleven of 120, on one page.
        // Typed text is searched once the typing pauses (debounced).
        page.Find(".ra-task-search input").Input("APP11");

        page.WaitForAssertion(() => Assert.Equal(11, TaskRows(page).Count), TimeSpan.FromSeconds(10));
        Assert.All(TaskRows(page), row => Assert.Contains("team/app11", row.TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".ra-pager"));

        page.Find(".ra-task-search input").Input("no-such-repository");
        page.WaitForAssertion(() => Assert.Contains("No task matches", page.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Empty(TaskRows(page));
    }

    [Fact]
    public void An_unknown_execution_says_so()
    {
        var page = RenderExecution(987654);

        page.WaitForAssertion(() => Assert.Contains("This execution does not exist", page.Markup, StringComparison.Ordinal));
        Assert.Null(ButtonOrNull(page, "Stop"));
    }

    private IRenderedComponent<IComponent> RenderExecution(long id) =>
        Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<ExecutionDetailsPage>(3);
            builder.AddAttribute(4, nameof(ExecutionDetailsPage.Id), id);
            builder.CloseComponent();
        });

    private static IReadOnlyList<IElement> TaskRows(IRenderedComponent<IComponent> page) => page.FindAll(".ra-tasks tbody tr");

    private static string Fact(IRenderedComponent<IComponent> page, string label) =>
        page.Find($"[data-fact='{label}'] .ra-fact-value").TextContent.Trim();
}
