using System.Collections.Concurrent;
using Replication.Engine.Progress;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>Records every event of a run, in the order reported; thread-safe as the engine requires.</summary>
public sealed class EventLog : IProgress<ReplicationEvent>
{
    private readonly ConcurrentQueue<ReplicationEvent> _events = new();

    /// <summary>Called synchronously for each event (to cancel a run at a chosen moment).</summary>
    public Action<ReplicationEvent>? OnEvent { get; init; }

    public IReadOnlyList<ReplicationEvent> All => [.. _events];

    public void Report(ReplicationEvent value)
    {
        _events.Enqueue(value);
        OnEvent?.Invoke(value);
    }

    public IReadOnlyList<T> Of<T>()
        where T : ReplicationEvent => [.. _events.OfType<T>()];

    /// <summary>Digests streamed from the source (one entry per transfer).</summary>
    public IReadOnlyList<string> CopiedBlobs => [.. Of<BlobFinished>().Where(b => b.Outcome == BlobOutcome.Copied).Select(b => b.Digest)];

    public IReadOnlyList<BlobFinished> Mounted => [.. Of<BlobFinished>().Where(b => b.Outcome == BlobOutcome.Mounted)];
}
