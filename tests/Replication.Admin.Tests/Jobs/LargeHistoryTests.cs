using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Xunit.Abstractions;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>The dashboard's queries over 100,000 executions: right pages, and plans that walk an index instead of sorting the table.</summary>
[Trait("Storage", "Sqlite")]
public sealed class LargeHistoryTests(JobsAppFactory app, ITestOutputHelper output) : IClassFixture<JobsAppFactory>
{
    private const int Count = 100_000;

    [Fact]
    public async Task Pages_filters_and_counts_over_100000_executions_use_the_indexes()
    {
        using var admin = app.CreateBasicClient();
        var registry = await RegisterAsync(admin, "http://127.0.0.1:9");
        var busy = await CreateRuleAsync(app.Services, r => { r.Enabled = false; r.DestinationProject = "a"; }, registry, registry, UniqueProject("big"));
        var quiet = await CreateRuleAsync(app.Services, r => { r.Enabled = false; r.DestinationProject = "b"; }, registry, registry, UniqueProject("big"));
        var factory = app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            // Every tenth execution belongs to the quiet rule, every fiftieth failed.
            await db.Database.ExecuteSqlRawAsync(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0})
                INSERT INTO Executions (RuleId, "Trigger", Status, TriggeredBy, Total, Succeeded, Failed, UpToDate, BytesTotal, BytesDone,
                                        CreatedAt, RetryNumber, Planned, Resumes, StopRequested)
                SELECT CASE WHEN i % 10 = 0 THEN {1} ELSE {2} END, 'scheduled', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
                       'schedule', 3, 3, 0, 0, 1000, 1000, {3}, 0, 1, 0, 0
                FROM n
                """,
                Count, quiet, busy, new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertToProvider(DateTimeOffset.UtcNow)!);
        }

        var queries = app.Services.GetRequiredService<ExecutionQueries>();
        var clock = Stopwatch.StartNew();
        var first = await queries.ListAsync(new ExecutionListQuery { PageSize = 25 });
        var firstMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var deep = await queries.ListAsync(new ExecutionListQuery { Page = 2000, PageSize = 25 });
        var deepMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var byRule = await queries.ListAsync(new ExecutionListQuery { RuleId = quiet, PageSize = 50 });
        var byRuleMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var byStatus = await queries.ListAsync(new ExecutionListQuery { Status = ExecutionStatus.Failed, PageSize = 50 });
        var byStatusMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var both = await queries.ListAsync(new ExecutionListQuery { RuleId = quiet, Status = ExecutionStatus.Failed, Page = 3, PageSize = 50 });
        var bothMs = clock.ElapsedMilliseconds;
        output.WriteLine($"100,000 executions: first page {firstMs} ms, page 2000 {deepMs} ms, by rule {byRuleMs} ms, by status {byStatusMs} ms, rule+status page 3 {bothMs} ms");

        Assert.True(first.TotalCount >= Count);
        Assert.Equal(25, first.Items.Count);
        Assert.Equal(first.Items.OrderByDescending(e => e.Id).Select(e => e.Id), first.Items.Select(e => e.Id));
        Assert.Equal(25, deep.Items.Count);
        Assert.True(deep.Items[0].Id < first.Items[^1].Id);
        Assert.Equal(Count / 10, byRule.TotalCount);
        Assert.All(byRule.Items, e => Assert.Equal(quiet, e.RuleId));
        Assert.Equal(Count / 50, byStatus.TotalCount);
        Assert.All(byStatus.Items, e => Assert.Equal(ExecutionStatus.Failed, e.Status));
        Assert.Equal(Count / 50, both.TotalCount);
        Assert.Equal(50, both.Items.Count);

        await using var connection = new SqliteConnection(app.Services.GetRequiredService<Replication.Admin.Hosting.StoragePaths>().ConnectionString);
        await connection.OpenAsync();
        foreach (var where in new[] { "", $"WHERE RuleId = {quiet}", "WHERE Status = 'failed'", $"WHERE RuleId = {quiet} AND Status = 'failed'" })
        {
            var plan = await PlanAsync(connection, $"SELECT Id FROM Executions {where} ORDER BY Id DESC LIMIT 25 OFFSET 100");
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
            if (where.Length > 0)
            {
                Assert.Contains("USING", plan, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<string> PlanAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join(" | ", lines);
    }
}
