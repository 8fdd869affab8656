using System.Collections.Concurrent;

namespace Replication.Admin.Executions;

/// <summary>
/// The executions this process is running or about to run, one rule at a time: a second execution of a rule waits
/// for the first (never two against the same destination at once), and Stop reaches a running execution through its
/// cancellation source.
/// </summary>
public sealed class RunningExecutions
{
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _rules = new();
    private readonly ConcurrentDictionary<long, Slot> _executions = new();

    /// <summary>Whether the execution is in this process now (waiting for its rule or running).</summary>
    public bool IsActive(long executionId) => _executions.ContainsKey(executionId);

    /// <summary>Executions this process holds.</summary>
    public IReadOnlyCollection<long> ActiveIds => _executions.Keys.ToList();

    /// <summary>
    /// Claims the execution, then waits for its rule to be free. Null when another job already holds the execution
    /// (a duplicate delivery). Dispose the slot to release both.
    /// </summary>
    public async Task<Slot?> AcquireAsync(int ruleId, long executionId, CancellationToken cancellationToken)
    {
        var slot = new Slot(this, ruleId, executionId, cancellationToken);
        if (!_executions.TryAdd(executionId, slot))
        {
            slot.DisposeSource();
            return null;
        }

        try
        {
            var gate = _rules.GetOrAdd(ruleId, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(slot.Token);
            slot.HoldsRule = true;
            return slot;
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <summary>Asks a running execution to stop; false when this process does not hold it.</summary>
    public bool TryStop(long executionId)
    {
        if (!_executions.TryGetValue(executionId, out var slot))
        {
            return false;
        }

        slot.RequestStop();
        return true;
    }

    /// <summary>Stops every execution of a rule this process holds (the rule was deleted).</summary>
    public void StopRule(int ruleId)
    {
        foreach (var slot in _executions.Values.Where(s => s.RuleId == ruleId))
        {
            slot.RequestStop();
        }
    }

    private void Release(Slot slot)
    {
        if (slot.HoldsRule && _rules.TryGetValue(slot.RuleId, out var gate))
        {
            slot.HoldsRule = false;
            gate.Release();
        }

        _executions.TryRemove(new KeyValuePair<long, Slot>(slot.ExecutionId, slot));
    }

    /// <summary>An execution held by this process.</summary>
    public sealed class Slot : IDisposable
    {
        private readonly RunningExecutions _owner;
        private readonly CancellationTokenSource _stop;
        private readonly CancellationToken _shutdown;
        private int _disposed;

        internal Slot(RunningExecutions owner, int ruleId, long executionId, CancellationToken shutdown)
        {
            _owner = owner;
            RuleId = ruleId;
            ExecutionId = executionId;
            _shutdown = shutdown;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        }

        public int RuleId { get; }

        public long ExecutionId { get; }

        /// <summary>Cancelled by Stop or by the host shutting down.</summary>
        public CancellationToken Token => _stop.Token;

        /// <summary>An administrator asked to stop (as opposed to the process shutting down).</summary>
        public bool StopRequested { get; private set; }

        /// <summary>The process is shutting down: leave the execution to be resumed at the next start.</summary>
        public bool ShuttingDown => _shutdown.IsCancellationRequested && !StopRequested;

        internal bool HoldsRule { get; set; }

        public void RequestStop()
        {
            StopRequested = true;
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(this);
                _stop.Dispose();
            }
        }

        internal void DisposeSource() => _stop.Dispose();
    }
}
