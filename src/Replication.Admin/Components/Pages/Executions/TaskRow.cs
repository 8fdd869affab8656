using Replication.Admin.Executions;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Components.Pages.Executions;

/// <summary>A task as the execution page shows it: the saved row, with the live figures of the task applied.</summary>
public sealed record TaskRow(
    long Id,
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
    string? Error)
{
    public bool IsFinished => Status is not (ExecutionTaskStatus.Pending or ExecutionTaskStatus.Running);

    public static TaskRow From(ExecutionTaskView task) =>
        new(task.Id, task.Operation, task.Kind, task.Source, task.Destination, task.Digest, task.Status, task.Attempts, task.BytesTotal, task.BytesDone, task.BytesTransferred, task.Error);

    public TaskRow Apply(ExecutionTaskProgress update) => this with
    {
        Status = update.Status,
        Attempts = Math.Max(Attempts, update.Attempts),
        BytesDone = update.BytesDone,
        BytesTotal = update.BytesTotal,
        Error = update.Error,
    };
}
