using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>Filters and page of the executions list (dashboard and API). Pages start at 1.</summary>
public sealed record ExecutionListQuery
{
    public const int MaxPageSize = 200;

    public int? RuleId { get; init; }

    public ExecutionStatus? Status { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 25;
}

/// <summary>One execution as lists and headers show it, with its rule's name.</summary>
public sealed record ExecutionSummary(
    long Id,
    int RuleId,
    string RuleName,
    ExecutionTrigger Trigger,
    ExecutionStatus Status,
    string TriggeredBy,
    int Total,
    int Succeeded,
    int Failed,
    int UpToDate,
    long BytesTotal,
    long BytesDone,
    long BytesTransferred,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? RetryAt,
    string? Error,
    long? ParentExecutionId,
    string? Node)
{
    public bool IsFinished => Status.IsFinished();

    /// <summary>Tasks finished (any outcome) out of <see cref="Total"/>.</summary>
    public int Done => Succeeded + Failed + UpToDate;
}

/// <summary>A retry that followed an execution: what links "retried by #7 — succeeded".</summary>
public sealed record ExecutionRetry(long Id, ExecutionStatus Status, DateTimeOffset? DueAt);

/// <summary>A page of executions, newest first, and how many match the filters in all.</summary>
public sealed record ExecutionPage(IReadOnlyList<ExecutionSummary> Items, int TotalCount, int Page, int PageSize);

/// <summary>One task as the execution page and the API show it.</summary>
public sealed record ExecutionTaskView(
    long Id,
    long ExecutionId,
    TaskOperation Operation,
    ArtifactKind Kind,
    string Source,
    string Destination,
    string? Digest,
    ExecutionTaskStatus Status,
    int Attempts,
    long BytesTotal,
    long BytesDone,
    long BytesTransferred,
    string? Error,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string Log);

/// <summary>An execution with its tasks.</summary>
public sealed record ExecutionDetails(ExecutionSummary Execution, IReadOnlyList<ExecutionTaskView> Tasks);

/// <summary>Read side of executions for the dashboard, the execution page, the rules page and the API.</summary>
public sealed class ExecutionQueries(IDbContextFactory<ReplicationDbContext> contextFactory)
{
    /// <summary>A page of executions, newest first, filtered by rule and status.</summary>
    public async Task<ExecutionPage> ListAsync(ExecutionListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, ExecutionListQuery.MaxPageSize);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var executions = db.Executions.AsNoTracking();
        if (query.RuleId is { } ruleId)
        {
            executions = executions.Where(e => e.RuleId == ruleId);
        }

        if (query.Status is { } status)
        {
            executions = executions.Where(e => e.Status == status);
        }

        var total = await executions.CountAsync(cancellationToken);
        var items = await Summaries(db, executions.OrderByDescending(e => e.Id).Skip((page - 1) * size).Take(size))
            .ToListAsync(cancellationToken);
        return new ExecutionPage(items.OrderByDescending(e => e.Id).ToList(), total, page, size);
    }

    /// <summary>One execution; null when it does not exist (or was pruned).</summary>
    public async Task<ExecutionSummary?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, db.Executions.AsNoTracking().Where(e => e.Id == id)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>One execution with all its tasks (in plan order); null when it does not exist.</summary>
    public async Task<ExecutionDetails?> GetDetailsAsync(long id, CancellationToken cancellationToken = default)
    {
        var execution = await GetAsync(id, cancellationToken);
        if (execution is null)
        {
            return null;
        }

        return new ExecutionDetails(execution, await GetTasksAsync(id, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Tasks of an execution in plan order, optionally of one status and matching <paramref name="search"/> (part of the
    /// source, destination, tag or digest), paged by <paramref name="skip"/> and <paramref name="take"/>.
    /// </summary>
    public async Task<IReadOnlyList<ExecutionTaskView>> GetTasksAsync(
        long executionId,
        ExecutionTaskStatus? status = null,
        int skip = 0,
        int take = int.MaxValue,
        string? search = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await TasksOf(db, executionId, status, search).OrderBy(t => t.Id).Skip(Math.Max(0, skip)).Take(Math.Max(0, take))
            .Select(t => new ExecutionTaskView(
                t.Id,
                t.ExecutionId,
                t.Operation,
                t.Kind,
                t.SourceRepository + ":" + t.Tag,
                t.DestinationRepository + ":" + t.Tag,
                t.Digest,
                t.Status,
                t.Attempts,
                t.BytesTotal,
                t.BytesDone,
                t.BytesTransferred,
                t.Error,
                t.StartedAt,
                t.FinishedAt,
                t.Log))
            .ToListAsync(cancellationToken);
    }

    /// <summary>How many tasks of an execution <see cref="GetTasksAsync"/> pages through with the same filters.</summary>
    public async Task<int> CountTasksAsync(long executionId, ExecutionTaskStatus? status = null, string? search = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await TasksOf(db, executionId, status, search).CountAsync(cancellationToken);
    }

    // One execution's rows through the (ExecutionId, Status) index; a search scans only that execution's rows.
    private static IQueryable<ExecutionTask> TasksOf(ReplicationDbContext db, long executionId, ExecutionTaskStatus? status, string? search)
    {
        var tasks = db.ExecutionTasks.AsNoTracking().Where(t => t.ExecutionId == executionId);
        if (status is { } wanted)
        {
            tasks = tasks.Where(t => t.Status == wanted);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            // Case-insensitive on both providers (SQLite's LIKE is for ASCII, PostgreSQL's is not at all).
            var part = search.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // The StringComparison overload does not translate to SQL; ToLower does, on both providers.
            tasks = tasks.Where(t => t.SourceRepository.ToLower().Contains(part) || t.DestinationRepository.ToLower().Contains(part)
                || t.Tag.ToLower().Contains(part) || (t.Digest != null && t.Digest.Contains(part)));
#pragma warning restore CA1862
        }

        return tasks;
    }

    /// <summary>The executions that retried <paramref name="executionId"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ExecutionRetry>> GetRetriesAsync(long executionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Executions.AsNoTracking().Where(e => e.ParentExecutionId == executionId).OrderBy(e => e.Id)
            .Select(e => new ExecutionRetry(e.Id, e.Status, e.RetryAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The retries of each of <paramref name="executionIds"/> (for a page of the API's list).</summary>
    public async Task<ILookup<long, long>> GetRetryIdsAsync(IReadOnlyCollection<long> executionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executionIds);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ids = executionIds.ToList();
        var pairs = await db.Executions.AsNoTracking().Where(e => e.ParentExecutionId != null && ids.Contains(e.ParentExecutionId.Value))
            .Select(e => new { Parent = e.ParentExecutionId!.Value, e.Id })
            .ToListAsync(cancellationToken);
        return pairs.OrderBy(p => p.Id).ToLookup(p => p.Parent, p => p.Id);
    }

    /// <summary>The newest execution of each rule (for the rules page's "last execution" column).</summary>
    public async Task<IReadOnlyDictionary<int, ExecutionSummary>> GetLatestByRuleAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var latest = db.Executions.GroupBy(e => e.RuleId).Select(g => g.Max(e => e.Id));
        var items = await Summaries(db, db.Executions.AsNoTracking().Where(e => latest.Contains(e.Id))).ToListAsync(cancellationToken);
        return items.ToDictionary(e => e.RuleId);
    }

    private static IQueryable<ExecutionSummary> Summaries(ReplicationDbContext db, IQueryable<Execution> executions) =>
        from e in executions
        join r in db.ReplicationRules on e.RuleId equals r.Id
        select new ExecutionSummary(
            e.Id,
            e.RuleId,
            r.Name,
            e.Trigger,
            e.Status,
            e.TriggeredBy,
            e.Total,
            e.Succeeded,
            e.Failed,
            e.UpToDate,
            e.BytesTotal,
            e.BytesDone,
            e.BytesTransferred,
            e.CreatedAt,
            e.StartedAt,
            e.FinishedAt,
            e.RetryAt,
            e.Error,
            e.ParentExecutionId,
            e.Node);
}
