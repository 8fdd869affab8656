using System.Globalization;
using Replication.Admin.Dashboard;
using Replication.Admin.Executions;

namespace Replication.Admin.ExecutionLogs;

/// <summary>
/// An execution's log as a plain text file: a header with the run's outcome, then each task's own lines under a line
/// that gives its start time, duration and throughput. Tasks are read and written a page at a time, so an execution of
/// any size streams out in bounded memory.
/// </summary>
public sealed class ExecutionLogText(ExecutionQueries queries)
{
    private const int TasksPerRead = 200;

    public Task<ExecutionSummary?> FindExecutionAsync(long executionId, CancellationToken cancellationToken = default) =>
        queries.GetAsync(executionId, cancellationToken);

    /// <summary>Writes the whole execution's log; false when it does not exist.</summary>
    public async Task<bool> WriteExecutionAsync(long executionId, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var execution = await queries.GetAsync(executionId, cancellationToken);
        if (execution is null)
        {
            return false;
        }

        await writer.WriteLineAsync(Header(execution));
        for (var skip = 0; ; skip += TasksPerRead)
        {
            var tasks = await queries.GetTasksAsync(executionId, skip: skip, take: TasksPerRead, cancellationToken: cancellationToken);
            foreach (var task in tasks)
            {
                await writer.WriteLineAsync();
                await WriteTaskAsync(task, writer);
            }

            if (tasks.Count < TasksPerRead)
            {
                return true;
            }
        }
    }

    /// <summary>One task's own lines under its summary line; null when the task is not part of the execution.</summary>
    public async Task<ExecutionTaskView?> FindTaskAsync(long executionId, long taskId, CancellationToken cancellationToken = default)
    {
        // A page at a time: an execution of thousands of tasks is never read whole for one task's lines.
        for (var skip = 0; ; skip += TasksPerRead)
        {
            var tasks = await queries.GetTasksAsync(executionId, skip: skip, take: TasksPerRead, cancellationToken: cancellationToken);
            if (tasks.FirstOrDefault(t => t.Id == taskId) is { } task)
            {
                return task;
            }

            if (tasks.Count < TasksPerRead || tasks[^1].Id > taskId)
            {
                return null;
            }
        }
    }

    public static async Task WriteTaskAsync(ExecutionTaskView task, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync(TaskLine(task));
        foreach (var line in task.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await writer.WriteLineAsync("  " + line);
        }
    }

    /// <summary><c>== task 12: copy team/app:v1 -> mirror/app:v1 · succeeded · started ... · 1.2 s · 12 MiB at 10 MiB/s</c>.</summary>
    public static string TaskLine(ExecutionTaskView task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var what = task.Operation == Replication.Engine.Copying.TaskOperation.Delete
            ? $"delete {task.Destination}"
            : $"copy {task.Source} -> {task.Destination}";
        var parts = new List<string> { $"== task {task.Id}: {what}", ExecutionText.TaskStatus(task.Status).ToLowerInvariant() };
        parts.AddRange(Timing(task.StartedAt, task.FinishedAt, task.BytesTransferred));
        if (task.Attempts > 1)
        {
            parts.Add($"{task.Attempts} attempts");
        }

        if (!string.IsNullOrEmpty(task.Error))
        {
            parts.Add($"error: {task.Error}");
        }

        return string.Join(" · ", parts);
    }

    private static string Header(ExecutionSummary execution)
    {
        var lines = new List<string>
        {
            $"Execution {execution.Id} of rule '{execution.RuleName}' ({execution.RuleId})",
            $"Trigger: {ExecutionText.Trigger(execution.Trigger)}, started by {execution.TriggeredBy}",
            $"Status: {ExecutionText.Status(execution.Status)}; {execution.Succeeded} succeeded, {execution.Failed} failed, {execution.UpToDate} up to date of {execution.Total}",
            "Timing: " + string.Join(" · ", Timing(execution.StartedAt, execution.FinishedAt, execution.BytesTransferred).DefaultIfEmpty("not started")),
        };
        if (!string.IsNullOrEmpty(execution.Error))
        {
            lines.Add($"Error: {execution.Error}");
        }

        return string.Join('\n', lines);
    }

    private static IEnumerable<string> Timing(DateTimeOffset? started, DateTimeOffset? finished, long bytesTransferred)
    {
        if (started is not { } start)
        {
            yield break;
        }

        yield return "started " + start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (finished is not { } end)
        {
            yield return "still running";
            yield break;
        }

        var duration = end - start;
        yield return duration.TotalSeconds < 10
            ? duration.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
            : ExecutionText.Duration(duration);
        if (bytesTransferred > 0)
        {
            var seconds = Math.Max(duration.TotalSeconds, 0.001);
            yield return $"{ExecutionText.Bytes(bytesTransferred)} transferred at {ExecutionText.Rate(bytesTransferred / seconds)}";
        }
    }
}
