using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Dashboard;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Admin.Tests.Host;
using Xunit.Abstractions;

namespace Replication.Admin.Tests.Live;

/// <summary>
/// The dashboard's list over 100,000 saved executions, in the real app: pages come out right at the start, the middle
/// and the end, filters count right, and every query the list and tiles run is answered from an index (no table scan,
/// no sort of the whole table), which is what keeps it fast as history grows.
/// </summary>
public sealed class ExecutionListAtScaleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Count = 100_000;
    private readonly RecordingFactory app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Pages_and_filters_over_a_hundred_thousand_executions()
    {
        using var client = app.CreateBasicClient();
        var (first, second) = await CreateRulesAsync();
        var clock = Stopwatch.StartNew();
        var inserted = await InsertAsync(first, second);
        output.WriteLine($"Inserted {Count:N0} executions in {clock.ElapsedMilliseconds} ms");

        var queries = app.Services.GetRequiredService<ExecutionQueries>();
        CommandRecorder.Recording.Value = true;
        clock.Restart();
        var firstPage = await queries.ListAsync(new ExecutionListQuery { Page = 1, PageSize = 20 });
        output.WriteLine($"Page 1: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(Count, firstPage.TotalCount);
        Assert.Equal(inserted.OrderByDescending(e => e.Id).Take(20).Select(e => e.Id), firstPage.Items.Select(e => e.Id));

        clock.Restart();
        var middle = await queries.ListAsync(new ExecutionListQuery { Page = 2_500, PageSize = 20 });
        output.WriteLine($"Page 2,500: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(inserted.OrderByDescending(e => e.Id).Skip(2_499 * 20).Take(20).Select(e => e.Id), middle.Items.Select(e => e.Id));

        clock.Restart();
        var last = await queries.ListAsync(new ExecutionListQuery { Page = Count / 20, PageSize = 20 });
        output.WriteLine($"Last page: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(inserted.OrderBy(e => e.Id).Take(20).Reverse().Select(e => e.Id), last.Items.Select(e => e.Id));

        clock.Restart();
        var failed = await queries.ListAsync(new ExecutionListQuery { Status = ExecutionStatus.Failed, Page = 3, PageSize = 20 });
        output.WriteLine($"Failed, page 3: {clock.ElapsedMilliseconds} ms");
        var expectedFailed = inserted.Where(e => e.Status == ExecutionStatus.Failed).OrderByDescending(e => e.Id).ToList();
        Assert.Equal(expectedFailed.Count, failed.TotalCount);
        Assert.Equal(expectedFailed.Skip(40).Take(20).Select(e => e.Id), failed.Items.Select(e => e.Id));
        Assert.All(failed.Items, e => Assert.Equal(ExecutionStatus.Failed, e.Status));

        clock.Restart();
        var ofRule = await queries.ListAsync(new ExecutionListQuery { RuleId = second, Status = ExecutionStatus.Succeeded, Page = 1, PageSize = 20 });
        output.WriteLine($"Rule and status: {clock.ElapsedMilliseconds} ms");
        var expectedOfRule = inserted.Where(e => e.RuleId == second && e.Status == ExecutionStatus.Succeeded).OrderByDescending(e => e.Id).ToList();
        Assert.Equal(expectedOfRule.Count, ofRule.TotalCount);
        Assert.Equal(expectedOfRule.Take(20).Select(e => e.Id), ofRule.Items.Select(e => e.Id));
        Assert.All(ofRule.Items, e => Assert.Equal("second-rule", e.RuleName));

        clock.Restart();
        var summary = await app.Services.GetRequiredService<DashboardQueries>().GetSummaryAsync();
        output.WriteLine($"Tiles: {clock.ElapsedMilliseconds} ms");
        var since = DateTimeOffset.UtcNow - DashboardQueries.Window;
        var lastDay = inserted.Where(e => e.CreatedAt >= since).ToList();
        Assert.Equal(lastDay.Count(e => e.Status == ExecutionStatus.Succeeded), summary.Succeeded);
        Assert.Equal(lastDay.Count(e => e.Status is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed), summary.Failed);
        Assert.Equal(lastDay.Sum(e => e.BytesTransferred), summary.BytesReplicated);

        await AssertAnsweredFromIndexesAsync();
    }

    /// <summary>Every query on executions that the list and tiles ran is planned on an index, with no sort of its own.</summary>
    private async Task AssertAnsweredFromIndexesAsync()
    {
        var commands = app.Commands.Where(c => c.Text.Contains("\"Executions\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(commands);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "replication.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        var plans = new List<(string Text, List<string> Plan)>();
        foreach (var command in commands)
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + command.Text;
            foreach (var (name, value) in command.Parameters)
            {
                explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(3));
                }
            }

            output.WriteLine(command.Text.ReplaceLineEndings(" ") + "\n  => " + string.Join(" | ", plan));
            plans.Add((command.Text, plan));
        }

        foreach (var (text, plan) in plans)
        {
            // No sort of its own: rows come in the order of the primary key or an index.
            Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));

            // A filter is a search in an index, never a walk over every execution.
            if (text.Contains("WHERE", StringComparison.Ordinal))
            {
                Assert.Contains(plan, step => step.StartsWith("SEARCH e", StringComparison.Ordinal) || step.StartsWith("SEARCH Executions", StringComparison.Ordinal));
            }
        }
    }

    private async Task<(int First, int Second)> CreateRulesAsync()
    {
        using var client = app.CreateBasicClient();
        var source = await Jobs.JobsTestKit.RegisterAsync(client, "http://127.0.0.1:5000");
        var destination = await Jobs.JobsTestKit.RegisterAsync(client, "http://127.0.0.1:5001");
        var first = await Jobs.JobsTestKit.CreateRuleAsync(app.Services, r => r.Name = "first-rule", source, destination, "team");
        var second = await Jobs.JobsTestKit.CreateRuleAsync(app.Services, r => r.Name = "second-rule", source, destination, "other");
        return (first, second);
    }

    /// <summary>Finished executions only (nothing for recovery to resume), over the last 10 days, in one transaction.</summary>
    private async Task<List<Execution>> InsertAsync(int first, int second)
    {
        var statuses = new[] { ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.PartiallyFailed, ExecutionStatus.Stopped };
        var converter = new DateTimeOffsetToBinaryConverter();
        var now = DateTimeOffset.UtcNow;
        var rows = new List<Execution>(Count);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "replication.db")}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO Executions (RuleId, "Trigger", Status, TriggeredBy, Total, Succeeded, Failed, UpToDate, BytesTotal, BytesDone,
                BytesTransferred, CreatedAt, StartedAt, FinishedAt, RetryNumber, Planned, Resumes, StopRequested)
            VALUES ($rule, 'manual', $status, 'load', 3, 3, 0, 0, $bytes, $bytes, $transferred, $created, $created, $created, 0, 1, 0, 0)
            RETURNING Id
            """;
        var rule = insert.Parameters.Add("$rule", SqliteType.Integer);
        var status = insert.Parameters.Add("$status", SqliteType.Text);
        var bytes = insert.Parameters.Add("$bytes", SqliteType.Integer);
        var transferred = insert.Parameters.Add("$transferred", SqliteType.Integer);
        var created = insert.Parameters.Add("$created", SqliteType.Integer);
        for (var i = 0; i < Count; i++)
        {
            var execution = new Execution
            {
                RuleId = i % 3 == 0 ? second : first,
                Status = statuses[i % statuses.Length],
                BytesDone = 1_000 + i,
                BytesTransferred = i % 2 == 0 ? 1_000 + i : 0,
                CreatedAt = now.AddSeconds(-(Count - i) * 8.0),
            };
            rule.Value = execution.RuleId;
            status.Value = execution.Status.ToApi();
            bytes.Value = execution.BytesDone;
            transferred.Value = execution.BytesTransferred;
            created.Value = converter.ConvertToProvider(execution.CreatedAt);
            execution.Id = (long)(await insert.ExecuteScalarAsync())!;
            rows.Add(execution);
        }

        await transaction.CommitAsync();
        return rows;
    }

    /// <summary>The app with every database command it runs recorded (text and parameters).</summary>
    private sealed class RecordingFactory : AdminAppFactory
    {
        public ConcurrentQueue<RecordedCommand> Commands { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
                services.ConfigureDbContext<ReplicationDbContext>(options => options.AddInterceptors(new CommandRecorder(Commands))));
        }
    }

    private sealed record RecordedCommand(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);

    private sealed class CommandRecorder(ConcurrentQueue<RecordedCommand> commands) : DbCommandInterceptor
    {
        /// <summary>Set by the test: only its own queries are recorded, not the app's background work.</summary>
        public static readonly AsyncLocal<bool> Recording = new();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Record(DbCommand command)
        {
            if (Recording.Value)
            {
                commands.Enqueue(new RecordedCommand(command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList()));
            }
        }
    }
}
