using Replication.Admin.Executions;

namespace Replication.Admin.Api;

/// <summary>
/// An execution in the API's stable JSON shape (PRODUCT.md), with additive fields: <c>bytesDone</c> counts bytes in
/// place at the destination (streamed, mounted or already present), <c>bytesTransferred</c> only those streamed;
/// <c>bytesTotal</c> is fixed when the run is sized. <c>retriedBy</c> lists the retries that followed it. <c>node</c> is
/// the node that ran (or runs) it, null while nobody has claimed it.
/// </summary>
public sealed record ExecutionResource(
    long Id,
    int RuleId,
    string Trigger,
    string Status,
    int Total,
    int Succeeded,
    int Failed,
    int UpToDate,
    long BytesTotal,
    long BytesDone,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    DateTime? RetryAt,
    string? Error,
    string? RuleName,
    string TriggeredBy,
    DateTime CreatedAt,
    long? ParentExecutionId,
    long BytesTransferred,
    IReadOnlyList<long> RetriedBy,
    string? Node)
{
    public static ExecutionResource From(ExecutionSummary e, IEnumerable<long> retriedBy)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new ExecutionResource(
            e.Id, e.RuleId, e.Trigger.ToApi(), e.Status.ToApi(), e.Total, e.Succeeded, e.Failed, e.UpToDate, e.BytesTotal, e.BytesDone,
            e.StartedAt?.UtcDateTime, e.FinishedAt?.UtcDateTime, e.RetryAt?.UtcDateTime, e.Error, e.RuleName, e.TriggeredBy, e.CreatedAt.UtcDateTime, e.ParentExecutionId,
            e.BytesTransferred, [.. retriedBy], e.Node);
    }
}

/// <summary>A page of executions: <c>{"items":[…],"total":n,"page":1,"pageSize":25}</c>.</summary>
public sealed record ExecutionPageResource(IReadOnlyList<ExecutionResource> Items, int Total, int Page, int PageSize);

/// <summary>A task in the API's stable JSON shape.</summary>
public sealed record ExecutionTaskResource(
    long Id,
    string Operation,
    string Source,
    string Destination,
    string? Digest,
    string Status,
    int Attempts,
    long BytesTotal,
    long BytesDone,
    string? Error,
    string Kind,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    long BytesTransferred)
{
    public static ExecutionTaskResource From(ExecutionTaskView t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new ExecutionTaskResource(
            t.Id, t.Operation.ToString().ToLowerInvariant(), t.Source, t.Destination, t.Digest, t.Status.ToApi(), t.Attempts, t.BytesTotal, t.BytesDone, t.Error,
            t.Kind.ToString().ToLowerInvariant(), t.StartedAt?.UtcDateTime, t.FinishedAt?.UtcDateTime, t.BytesTransferred);
    }
}

/// <summary>The answer to a new webhook secret: shown once, never again.</summary>
public sealed record WebhookSecretResource(string Secret, string Url);

/// <summary>The answer to a registry notification.</summary>
public sealed record EventReceiptResource(int Accepted, int Ignored, IReadOnlyList<long> Executions);
