namespace Replication.Admin.Executions;

/// <summary>
/// An execution's task rows counted by how they ended: what its outcome is made from. A running execution's rows stay
/// in the database and are counted there (<see cref="ExecutionTaskRows.TallyAsync"/>); <see cref="Of(IEnumerable{ExecutionTask})"/>
/// counts rows in hand.
/// </summary>
/// <param name="Rows">Task rows (the plan's up-to-date tags have none).</param>
/// <param name="Succeeded">Copied, deleted or skipped on purpose.</param>
/// <param name="Undone">Pending, running or stopped: work a stop left undone.</param>
/// <param name="BytesDone">Of the ended rows (not pending or running): bytes in place.</param>
/// <param name="FirstFailure">The first failed row in plan order, as "repository:tag: error".</param>
public sealed record TaskTally(
    int Rows,
    int Succeeded,
    int Failed,
    int UpToDate,
    int Undone,
    long BytesDone,
    long BytesTotal,
    long BytesTransferred,
    string? FirstFailure)
{
    public static readonly TaskTally None = new(0, 0, 0, 0, 0, 0, 0, 0, null);

    public static TaskTally Of(IEnumerable<ExecutionTask> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var groups = list.GroupBy(r => r.Status)
            .Select(g => new TaskStatusGroup(g.Key, g.Count(), g.Sum(r => r.BytesDone), g.Sum(r => r.BytesTotal), g.Sum(r => r.BytesTransferred)));
        var first = list.Where(r => r.Status == ExecutionTaskStatus.Failed).MinBy(r => r.Id);
        return Of(groups, first is null ? null : Failure(first.DestinationReference, first.Error));
    }

    public static TaskTally Of(IEnumerable<TaskStatusGroup> groups, string? firstFailure)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var byStatus = groups.ToDictionary(g => g.Status);
        int Count(params ExecutionTaskStatus[] statuses) => statuses.Sum(s => byStatus.TryGetValue(s, out var g) ? g.Count : 0);
        var ended = byStatus.Values.Where(g => g.Status is not (ExecutionTaskStatus.Pending or ExecutionTaskStatus.Running)).ToList();
        return new TaskTally(
            byStatus.Values.Sum(g => g.Count),
            Count(ExecutionTaskStatus.Succeeded, ExecutionTaskStatus.Skipped),
            Count(ExecutionTaskStatus.Failed),
            Count(ExecutionTaskStatus.UpToDate),
            Count(ExecutionTaskStatus.Pending, ExecutionTaskStatus.Running, ExecutionTaskStatus.Stopped),
            ended.Sum(g => g.BytesDone),
            ended.Sum(g => g.BytesTotal),
            ended.Sum(g => g.BytesTransferred),
            firstFailure);
    }

    public static string Failure(string destinationReference, string? error) => $"{destinationReference}: {error}";
}

/// <summary>Task rows of one status: how many, and their bytes.</summary>
public sealed record TaskStatusGroup(ExecutionTaskStatus Status, int Count, long BytesDone, long BytesTotal, long BytesTransferred);
