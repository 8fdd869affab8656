using System.Collections.Immutable;

namespace Replication.Admin.Executions;

/// <summary>
/// In-process fan-out of execution progress to whoever watches (dashboard, execution page). Subscribers get immutable
/// snapshots and should only hand them to their renderer (<c>InvokeAsync(StateHasChanged)</c>); a subscriber that
/// throws is logged and does not affect the others or the run. Disposing the subscription stops delivery.
/// </summary>
public sealed class ExecutionNotifier(ILogger<ExecutionNotifier> logger)
{
    private readonly object _gate = new();
    private ImmutableList<Subscription> _subscriptions = [];

    /// <summary>Progress of every execution.</summary>
    public IDisposable Subscribe(Func<ExecutionProgress, Task> onProgress) => Add(new Subscription(this, null, onProgress));

    /// <summary>Progress of one execution.</summary>
    public IDisposable Subscribe(long executionId, Func<ExecutionProgress, Task> onProgress) => Add(new Subscription(this, executionId, onProgress));

    /// <summary>Number of live subscriptions (for tests and diagnostics).</summary>
    public int SubscriberCount => _subscriptions.Count;

    /// <summary>Delivers <paramref name="progress"/> to every matching subscriber, concurrently; never throws.</summary>
    public async Task PublishAsync(ExecutionProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var targets = _subscriptions.Where(s => s.ExecutionId is null || s.ExecutionId == progress.ExecutionId).ToList();
        if (targets.Count == 0)
        {
            return;
        }

        await Task.WhenAll(targets.Select(s => DeliverAsync(s, progress)));
    }

    private async Task DeliverAsync(Subscription subscription, ExecutionProgress progress)
    {
        try
        {
            await subscription.OnProgress(progress);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A broken page must not break the run or the other pages.
            logger.LogWarning(exception, "A progress subscriber failed for execution {ExecutionId}", progress.ExecutionId);
        }
    }

    private Subscription Add(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription.OnProgress);
        lock (_gate)
        {
            _subscriptions = _subscriptions.Add(subscription);
        }

        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription(ExecutionNotifier owner, long? executionId, Func<ExecutionProgress, Task> onProgress) : IDisposable
    {
        public long? ExecutionId { get; } = executionId;

        public Func<ExecutionProgress, Task> OnProgress { get; } = onProgress;

        public void Dispose() => owner.Remove(this);
    }
}
