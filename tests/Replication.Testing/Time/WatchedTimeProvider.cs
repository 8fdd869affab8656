using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Replication.Testing.Time;

/// <summary>
/// A fake clock that also records each wait set on it and whether it ended (fired, or cancelled and let go). Code that
/// waits on the clock is parked until the test advances it, so a test can wait until the waits it expects are set (or
/// cancelled), then check what has not happened, without a sleep.
/// </summary>
public sealed class WatchedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<WatchedTimer> _waits = new();

    /// <summary>How long each wait set so far was for, in the order they were set.</summary>
    public IReadOnlyList<TimeSpan> Waits => [.. _waits.Select(w => w.DueTime)];

    /// <summary>Waits set and not yet ended.</summary>
    public int PendingWaits => _waits.Count(w => !w.Ended);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return timer;
        }

        var watched = new WatchedTimer(timer, dueTime);
        _waits.Enqueue(watched);
        return watched;
    }

    /// <summary>Polls (in real time) until <paramref name="count"/> waits have been set; fails after <paramref name="deadline"/>.</summary>
    public async Task<IReadOnlyList<TimeSpan>> WaitForWaitsAsync(int count, TimeSpan deadline)
    {
        await PollAsync(() => _waits.Count >= count, deadline, () => $"{_waits.Count} of {count} waits were set on the clock");
        return Waits;
    }

    /// <summary>Polls (in real time) until no wait is pending; fails after <paramref name="deadline"/>.</summary>
    public Task WaitForNoPendingWaitsAsync(TimeSpan deadline) =>
        PollAsync(() => PendingWaits == 0, deadline, () => $"{PendingWaits} waits are still pending on the clock");

    private static async Task PollAsync(Func<bool> condition, TimeSpan deadline, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < deadline, $"Gave up after {deadline.TotalSeconds:0} s: {describe()}.");
            await Task.Delay(10);
        }
    }

    private sealed class WatchedTimer(ITimer inner, TimeSpan dueTime) : ITimer
    {
        private int _ended;

        public TimeSpan DueTime { get; } = dueTime;

        public bool Ended => Volatile.Read(ref _ended) == 1;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            Volatile.Write(ref _ended, 1);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Volatile.Write(ref _ended, 1);
            return inner.DisposeAsync();
        }
    }
}
