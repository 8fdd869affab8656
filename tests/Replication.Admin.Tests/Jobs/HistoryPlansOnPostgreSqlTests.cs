using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Replication.Admin.Audit;
using Replication.Admin.Dashboard;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using Replication.Testing.Databases;
using Xunit.Abstractions;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// The history's queries on PostgreSQL over 100,000 executions, 120,000 task rows and 100,000 audit entries: every
/// query with a filter that the executions list, the tiles and a page of tasks send is planned on an index (no sequential
/// scan of the executions or tasks), as the SQLite tests check with EXPLAIN QUERY PLAN.
/// </summary>
[Trait("Storage", "PostgreSql")]
public sealed class HistoryPlansOnPostgreSqlTests(ITestOutputHelper output)
{
    private const int Count = 100_000;

    [Fact]
    public async Task History_queries_over_100000_executions_are_planned_on_indexes()
    {
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("history");
        await using (var migrate = new PostgreSqlMigrationContext(new DbContextOptionsBuilder<PostgreSqlMigrationContext>().UseNpgsql(connectionString).Options))
        {
            await migrate.Database.MigrateAsync();
        }

        var recorder = new CommandRecorder();
        var factory = new Factory(new DbContextOptionsBuilder<ReplicationDbContext>().UseNpgsql(connectionString).AddInterceptors(recorder).Options);
        var (busy, quiet) = await CreateRulesAsync(factory);
        var big = await SeedAsync(connectionString, busy, quiet);

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var executions = new ExecutionQueries(factory);
        var audit = new AuditLog(factory, clock);
        var timer = Stopwatch.StartNew();
        recorder.Recording = true;
        var page = await executions.ListAsync(new ExecutionListQuery { Page = 2_000, PageSize = 25 });
        var failed = await executions.ListAsync(new ExecutionListQuery { Status = ExecutionStatus.Failed, PageSize = 50 });
        var ofRule = await executions.ListAsync(new ExecutionListQuery { RuleId = quiet, Status = ExecutionStatus.Failed, Page = 3, PageSize = 50 });
        var tiles = await new DashboardQueries(factory, clock).GetSummaryAsync();
        var tasks = await executions.GetTasksAsync(big, skip: 19_950, take: 50);
        var failedTasks = await executions.GetTasksAsync(big, ExecutionTaskStatus.Failed, take: 50);
        var entries = await audit.QueryAsync(new AuditQuery(Action: "rule", Page: 3));
        recorder.Recording = false;
        output.WriteLine($"Seven history reads on PostgreSQL in {timer.ElapsedMilliseconds} ms");

        Assert.Equal(Count + 1, page.TotalCount);
        Assert.Equal(25, page.Items.Count);
        Assert.Equal(Count / 50, failed.TotalCount);
        Assert.All(ofRule.Items, e => Assert.Equal((quiet, ExecutionStatus.Failed), (e.RuleId, e.Status)));
        Assert.Equal(0, tiles.Running);
        Assert.Equal(50, tasks.Count);
        Assert.Equal(50, failedTasks.Count);
        Assert.All(failedTasks, t => Assert.Equal(ExecutionTaskStatus.Failed, t.Status));
        Assert.Equal(50, entries.Items.Count);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var (text, parameters) in recorder.Commands)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + text, connection);
            foreach (var parameter in parameters)
            {
                explain.Parameters.Add(parameter);
            }

            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var joined = string.Join("\n", plan);
            output.WriteLine(text.ReplaceLineEndings(" ") + "\n" + joined + "\n");
            // A page of one execution's tasks walks that execution's rows in plan order, not the whole table's.
            if (text.Contains("FROM \"ExecutionTasks\"", StringComparison.Ordinal))
            {
                Assert.True(joined.Contains("IX_ExecutionTasks_ExecutionId", StringComparison.Ordinal), $"tasks not found by execution:\n{text}\n{joined}");
            }

            // A filter is found through an index; only an unfiltered count reads a whole table (as it must). The audit
            // action category ("rule" = rule.*) is a LIKE prefix, which a btree under a non-C collation cannot serve:
            // its count reads the audit table (printed above; the page itself walks the primary key).
            foreach (var table in text.Contains("WHERE", StringComparison.Ordinal) ? new[] { "Executions", "ExecutionTasks" } : [])
            {
                Assert.False(joined.Contains($"Seq Scan on \"{table}\"", StringComparison.Ordinal), $"a sequential scan of {table}:\n{text}\n{joined}");
            }
        }
    }

    private static async Task<(int Busy, int Quiet)> CreateRulesAsync(Factory factory)
    {
        await using var db = factory.CreateDbContext();
        var registry = new RegistryEndpoint { Name = "history", Url = "http://127.0.0.1:5000", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.RegistryEndpoints.Add(registry);
        await db.SaveChangesAsync();
        ReplicationRule Rule(string name) => new()
        {
            Name = name,
            SourceRegistryId = registry.Id,
            SourceProject = name,
            DestinationRegistryId = registry.Id,
            DestinationProject = "mirror-" + name,
            TriggerMode = TriggerMode.Manual,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        var busy = Rule("busy");
        var quiet = Rule("quiet");
        db.ReplicationRules.AddRange(busy, quiet);
        await db.SaveChangesAsync();
        return (busy.Id, quiet.Id);
    }

    /// <summary>
    /// In SQL, as a restored history would arrive: executions over 30 days (a tenth of the quiet rule, one in 50
    /// failed) with one task row each besides, the newest of 20,000 tasks (one in 100 failed), and the audit trail.
    /// </summary>
    private static async Task<long> SeedAsync(string connectionString, int busy, int quiet)
    {
        var converter = new DateTimeOffsetToBinaryConverter();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var step = TimeSpan.FromDays(30).Ticks / Count;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            """
            INSERT INTO "Executions" ("RuleId", "Trigger", "Status", "TriggeredBy", "Total", "Succeeded", "Failed", "UpToDate", "BytesTotal", "BytesDone",
                                      "BytesTransferred", "CreatedAt", "RetryNumber", "Planned", "Resumes", "StopRequested")
            SELECT CASE WHEN i % 10 = 0 THEN @quiet ELSE @busy END, 'scheduled', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
                   'schedule', 1, 1, 0, 0, 4096, 4096, 4096, ((@start + i * @step) / 1000) * 2048, 0, true, 0, false
            FROM generate_series(1, @count) AS i;
            INSERT INTO "ExecutionTasks" ("ExecutionId", "Operation", "Kind", "SourceRepository", "DestinationRepository", "Tag", "Status", "Attempts",
                                          "BytesTotal", "BytesDone", "BytesTransferred", "IsTransient", "Log")
            SELECT "Id", 'copy', 'image', 'team/app', 'mirror/app', 'v1', "Status", 1, 4096, 4096, 4096, false, '' FROM "Executions";
            INSERT INTO "AuditEntries" ("At", "Who", "Action", "Target", "Details")
            SELECT ((@start + i * @step) / 1000) * 2048, 'alice', (ARRAY['rule.update', 'execution.start', 'user.signin'])[1 + i % 3], 'rule busy', ''
            FROM generate_series(1, @count) AS i;
            """,
            connection);
        seed.Parameters.AddWithValue("quiet", quiet);
        seed.Parameters.AddWithValue("busy", busy);
        seed.Parameters.AddWithValue("start", start.UtcTicks);
        seed.Parameters.AddWithValue("step", step);
        seed.Parameters.AddWithValue("count", Count);
        seed.CommandTimeout = 300;
        await seed.ExecuteNonQueryAsync();

        await using var bigExecution = new NpgsqlCommand(
            """
            INSERT INTO "Executions" ("RuleId", "Trigger", "Status", "TriggeredBy", "Total", "Succeeded", "Failed", "UpToDate", "BytesTotal", "BytesDone",
                                      "BytesTransferred", "CreatedAt", "RetryNumber", "Planned", "Resumes", "StopRequested")
            VALUES (@busy, 'manual', 'partiallyFailed', 'alice', 20000, 19800, 200, 0, 0, 0, 0, @now, 0, true, 0, false) RETURNING "Id"
            """,
            connection);
        bigExecution.Parameters.AddWithValue("busy", busy);
        bigExecution.Parameters.AddWithValue("now", (long)converter.ConvertToProvider(DateTimeOffset.UtcNow)!);
        var big = (long)(await bigExecution.ExecuteScalarAsync())!;
        await using var bigTasks = new NpgsqlCommand(
            """
            INSERT INTO "ExecutionTasks" ("ExecutionId", "Operation", "Kind", "SourceRepository", "DestinationRepository", "Tag", "Status", "Attempts",
                                          "BytesTotal", "BytesDone", "BytesTransferred", "IsTransient", "Log")
            SELECT @big, 'copy', 'image', 'team/app-' || (i / 10), 'mirror/app-' || (i / 10), 'v' || (i % 10),
                   CASE WHEN i % 100 = 99 THEN 'failed' ELSE 'succeeded' END, 1, 0, 0, 0, false, ''
            FROM generate_series(0, 19999) AS i;
            ANALYZE;
            """,
            connection);
        bigTasks.Parameters.AddWithValue("big", big);
        bigTasks.CommandTimeout = 300;
        await bigTasks.ExecuteNonQueryAsync();
        return big;
    }

    private sealed class Factory(DbContextOptions<ReplicationDbContext> options) : IDbContextFactory<ReplicationDbContext>
    {
        public ReplicationDbContext CreateDbContext() => new(options);
    }

    /// <summary>The SQL the queries send, with their parameters, to EXPLAIN afterwards.</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        public bool Recording { get; set; }

        public List<(string Text, List<NpgsqlParameter> Parameters)> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Recording)
            {
                Commands.Add((command.CommandText, command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList()));
            }

            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
