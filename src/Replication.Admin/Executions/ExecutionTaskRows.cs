using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Replication.Admin.Data;

namespace Replication.Admin.Executions;

/// <summary>
/// The task rows of a running execution, read and written a page at a time and never held: a 20,000-task run keeps
/// none of its rows (nor their logs) in memory between saves. The rows go through a database context of their own that
/// shares the execution's connection and joins its transactions, so one commit still holds the execution and its rows;
/// rows loaded into the execution's own context would join <see cref="Execution.Tasks"/> (EF links them to the tracked
/// execution) and stay there for the whole run.
/// </summary>
internal sealed class ExecutionTaskRows : IAsyncDisposable
{
    // Rows per insert batch, and ids per read of rows to update.
    private const int Page = 1_000;

    private readonly ReplicationDbContext _db;
    private readonly long _executionId;

    /// <param name="executionContext">The context holding the execution: its connection is shared.</param>
    /// <param name="rowsContext">A fresh context, owned from here on, whose connection is not open yet.</param>
    public ExecutionTaskRows(ReplicationDbContext executionContext, ReplicationDbContext rowsContext, long executionId)
    {
        _db = rowsContext;
        _db.Database.SetDbConnection(executionContext.Database.GetDbConnection(), contextOwnsConnection: false);
        _db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        _executionId = executionId;
    }

    private IQueryable<ExecutionTask> Rows => _db.ExecutionTasks.Where(t => t.ExecutionId == _executionId);

    /// <summary>Makes the work until <see cref="LeaveAsync"/> part of the execution context's transaction.</summary>
    public Task JoinAsync(IDbContextTransaction transaction, CancellationToken cancellationToken) =>
        _db.Database.UseTransactionAsync(transaction.GetDbTransaction(), cancellationToken);

    /// <summary>The transaction ended (committed or not): nothing stays tracked, a failed save is read again next time.</summary>
    public async Task LeaveAsync()
    {
        _db.ChangeTracker.Clear();
        await _db.Database.UseTransactionAsync(null);
    }

    /// <summary>Inserts new rows a page at a time (each gets its id); none stays tracked.</summary>
    public async Task InsertAsync(IEnumerable<ExecutionTask> rows, CancellationToken cancellationToken)
    {
        foreach (var page in rows.Chunk(Page))
        {
            foreach (var row in page)
            {
                row.ExecutionId = _executionId;
            }

            _db.ExecutionTasks.AddRange(page);
            await _db.SaveChangesAsync(cancellationToken);
            _db.ChangeTracker.Clear();
        }
    }

    /// <summary>Pending and running rows, in plan order, untracked: what a resumed run still has to do.</summary>
    public async Task<List<ExecutionTask>> UnfinishedAsync(CancellationToken cancellationToken) =>
        await Rows.Where(t => t.Status == ExecutionTaskStatus.Pending || t.Status == ExecutionTaskStatus.Running)
            .OrderBy(t => t.Id).ToListAsync(cancellationToken);

    /// <summary>Applies what changed to the rows it concerns, reading and saving them a page at a time.</summary>
    public async Task UpdateAsync(IReadOnlyCollection<TaskUpdate> updates, CancellationToken cancellationToken)
    {
        foreach (var page in updates.Chunk(Page))
        {
            var ids = page.Select(u => u.TaskId).ToList();
            var rows = await Rows.AsTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
            foreach (var update in page)
            {
                if (rows.TryGetValue(update.TaskId, out var row))
                {
                    update.ApplyTo(row);
                }
            }

            await _db.SaveChangesAsync(cancellationToken);
            _db.ChangeTracker.Clear();
        }
    }

    /// <summary>Running and stopped rows go back to pending: the process is shutting down and the run resumes later.</summary>
    public Task ResetUnfinishedAsync(CancellationToken cancellationToken) =>
        Rows.Where(t => t.Status == ExecutionTaskStatus.Running || t.Status == ExecutionTaskStatus.Stopped)
            .ExecuteUpdateAsync(
                s => s.SetProperty(t => t.Status, ExecutionTaskStatus.Pending)
                    .SetProperty(t => t.FinishedAt, (DateTimeOffset?)null)
                    .SetProperty(t => t.Error, (string?)null),
                cancellationToken);

    /// <summary>Pending and running rows become stopped: the execution ends with them undone.</summary>
    public Task StopUnfinishedAsync(CancellationToken cancellationToken) =>
        Rows.Where(t => t.Status == ExecutionTaskStatus.Pending || t.Status == ExecutionTaskStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, ExecutionTaskStatus.Stopped), cancellationToken);

    /// <summary>The rows counted by status, in the database.</summary>
    public async Task<TaskTally> TallyAsync(CancellationToken cancellationToken)
    {
        var groups = await Rows.GroupBy(t => t.Status)
            .Select(g => new TaskStatusGroup(g.Key, g.Count(), g.Sum(t => t.BytesDone), g.Sum(t => t.BytesTotal), g.Sum(t => t.BytesTransferred)))
            .ToListAsync(cancellationToken);
        var first = await Rows.Where(t => t.Status == ExecutionTaskStatus.Failed).OrderBy(t => t.Id)
            .Select(t => new { t.DestinationRepository, t.Tag, t.Error }).FirstOrDefaultAsync(cancellationToken);
        return TaskTally.Of(groups, first is null ? null : TaskTally.Failure($"{first.DestinationRepository}:{first.Tag}", first.Error));
    }

    /// <summary>Failed rows whose failure is worth an automatic retry, in plan order.</summary>
    public async Task<List<ExecutionTask>> TransientFailuresAsync(CancellationToken cancellationToken) =>
        await Rows.Where(t => t.Status == ExecutionTaskStatus.Failed && t.IsTransient).OrderBy(t => t.Id).ToListAsync(cancellationToken);

    /// <summary>The error of every failed row (one string per distinct error, repeated), for alerts and metrics.</summary>
    public async Task<IReadOnlyList<string>> FailureErrorsAsync(CancellationToken cancellationToken)
    {
        var errors = await Rows.Where(t => t.Status == ExecutionTaskStatus.Failed).GroupBy(t => t.Error)
            .Select(g => new { Error = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return errors.SelectMany(e => Enumerable.Repeat(e.Error ?? "", e.Count)).ToList();
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
