using System.Collections.Concurrent;

namespace Replication.Engine.Copying;

/// <summary>
/// At most one piece of work per key at a time. The leader runs it under its own token; others wait for it to end
/// (however it ends) and then look again at what is known, so a leader's failure or cancellation never strands them.
/// </summary>
internal sealed class SingleFlight<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task> _inflight = new();

    /// <summary>Runs <paramref name="work"/> when nobody else is working on <paramref name="key"/> and returns true; otherwise waits for them and returns false.</summary>
    public async Task<bool> TryLeadAsync(TKey key, Func<Task> work, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = _inflight.GetOrAdd(key, mine.Task);
        if (current != mine.Task)
        {
            await current.WaitAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        try
        {
            await work().ConfigureAwait(false);
            return true;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<TKey, Task>(key, mine.Task));
            mine.SetResult();
        }
    }
}
