using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Replication.Admin.Data;
using Replication.Admin.Executions;

namespace Replication.Admin.Dashboard;

/// <summary>The dashboard's tiles: what runs now and how the last day went.</summary>
/// <param name="Running">Executions running now.</param>
/// <param name="Pending">Executions queued or waiting for a retry.</param>
/// <param name="Succeeded">Executions created in the window that succeeded.</param>
/// <param name="Failed">Executions created in the window that failed, completely or partly.</param>
/// <param name="BytesReplicated">Bytes transferred by executions created in the window.</param>
/// <param name="Since">Start of the window.</param>
public sealed record DashboardSummary(int Running, int Pending, int Succeeded, int Failed, long BytesReplicated, DateTimeOffset Since);

/// <summary>A rule as the filters name it.</summary>
public sealed record RuleName(int Id, string Name);

/// <summary>A stored log line of a task, for the start of the execution page's log tail.</summary>
public sealed record StoredLogLine(long TaskId, string Destination, DateTimeOffset At, string Message);

/// <summary>Read side the dashboard and execution page need beyond <see cref="ExecutionQueries"/>; each query is served by an index.</summary>
public sealed class DashboardQueries(IDbContextFactory<ReplicationDbContext> contextFactory, TimeProvider clock)
{
    // The model stores times as sortable integers (see ReplicationDbContext); raw SQL compares in that form.
    private static readonly DateTimeOffsetToBinaryConverter TimeConverter = new();

    /// <summary>The window of the "last 24 h" tiles.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public async Task<DashboardSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        var since = clock.GetUtcNow() - Window;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);

        // Active executions by status (index on Status).
        var active = await db.Executions.AsNoTracking()
            .Where(e => e.Status == ExecutionStatus.Running || e.Status == ExecutionStatus.Pending)
            .GroupBy(e => e.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        // One pass over the window's rows in the CreatedAt index, one aggregate row: a GROUP BY (on the status, or on a
        // constant as LINQ would write it) makes SQLite walk the status index or sort.
        var succeeded = ExecutionStatus.Succeeded.ToApi();
        var failed = ExecutionStatus.Failed.ToApi();
        var partiallyFailed = ExecutionStatus.PartiallyFailed.ToApi();
        var sinceValue = (long)TimeConverter.ConvertToProvider(since)!;
        var recent = (await db.Database.SqlQuery<WindowCounts>($"""
            SELECT COUNT(CASE WHEN "Status" = {succeeded} THEN 1 END) AS "Succeeded",
                   COUNT(CASE WHEN "Status" IN ({failed}, {partiallyFailed}) THEN 1 END) AS "Failed",
                   COALESCE(SUM("BytesTransferred"), 0) AS "Bytes"
            FROM "Executions" WHERE "CreatedAt" >= {sinceValue}
            """).ToListAsync(cancellationToken)).FirstOrDefault();

        return new DashboardSummary(
            active.Where(a => a.Status == ExecutionStatus.Running).Sum(a => a.Count),
            active.Where(a => a.Status == ExecutionStatus.Pending).Sum(a => a.Count),
            recent?.Succeeded ?? 0,
            recent?.Failed ?? 0,
            recent?.Bytes ?? 0,
            since);
    }

    /// <summary>Every rule's id and name, by name, for the rule filter.</summary>
    public async Task<IReadOnlyList<RuleName>> GetRuleNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ReplicationRules.AsNoTracking().OrderBy(r => r.Name).Select(r => new RuleName(r.Id, r.Name)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The last <paramref name="maxLines"/> stored log lines of an execution, oldest first, read from the tasks that
    /// logged most recently (the live tail continues from there).
    /// </summary>
    public async Task<IReadOnlyList<StoredLogLine>> GetRecentLogAsync(long executionId, int maxLines = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var tasks = await db.ExecutionTasks.AsNoTracking()
            .Where(t => t.ExecutionId == executionId && t.Log != "")
            .OrderByDescending(t => t.FinishedAt ?? t.StartedAt)
            .ThenByDescending(t => t.Id)
            .Take(Math.Max(1, maxLines / 2))
            .Select(t => new { t.Id, Destination = t.DestinationRepository + ":" + t.Tag, t.StartedAt, t.Log })
            .ToListAsync(cancellationToken);

        // Lines start with the UTC time of day ("HH:mm:ss"); the task's start gives the date.
        return tasks
            .SelectMany(t => t.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select((line, index) => (Line: ParseLine(t.Id, t.Destination, t.StartedAt, line), Index: index)))
            .OrderBy(l => l.Line.At)
            .ThenBy(l => l.Line.TaskId)
            .ThenBy(l => l.Index)
            .Select(l => l.Line)
            .TakeLast(maxLines)
            .ToList();
    }

    private static StoredLogLine ParseLine(long taskId, string destination, DateTimeOffset? taskStarted, string line)
    {
        var start = (taskStarted ?? DateTimeOffset.UnixEpoch).ToUniversalTime();
        if (line.Length < 9 || line[8] != ' ' || !TimeOnly.TryParseExact(line[..8], "HH:mm:ss", out var time))
        {
            return new StoredLogLine(taskId, destination, start, line);
        }

        var at = new DateTimeOffset(DateOnly.FromDateTime(start.UtcDateTime), time, TimeSpan.Zero);

        // A line logged after midnight by a task that started the evening before.
        if (at < start - TimeSpan.FromMinutes(1))
        {
            at = at.AddDays(1);
        }

        return new StoredLogLine(taskId, destination, at, line[9..]);
    }
}

/// <summary>The last day's figures as one row.</summary>
internal sealed record WindowCounts(int Succeeded, int Failed, long Bytes);
