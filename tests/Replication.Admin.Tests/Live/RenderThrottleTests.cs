using Microsoft.Extensions.Time.Testing;
using Replication.Admin.Dashboard;
using Replication.Testing.Time;

namespace Replication.Admin.Tests.Live;

/// <summary>Progress can arrive many times a second; pages re-render at most once per interval, and never miss the last picture.</summary>
public sealed class RenderThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task The_first_request_after_a_quiet_period_refreshes_at_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var refreshes = new Refreshes();
        using var throttle = new RenderThrottle(refreshes.RunAsync, Interval, clock);

        throttle.Request();

        await refreshes.WaitForAsync(1);
    }

    [Fact]
    public async Task A_burst_within_the_interval_becomes_one_trailing_refresh()
    {
        var clock = new WatchedTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var refreshes = new Refreshes();
        using var throttle = new RenderThrottle(refreshes.RunAsync, Interval, clock);
        throttle.Request();
        await refreshes.WaitForAsync(1);

        for (var i = 0; i < 50; i++)
        {
            throttle.Request();
        }

        // The burst parked one refresh on the clock for the interval; nothing else can run before the clock moves.
        Assert.Equal([Interval], await clock.WaitForWaitsAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, refreshes.Count);
        clock.Advance(Interval);
        await refreshes.WaitForAsync(2);
        Assert.Single(clock.Waits);
        Assert.Equal(2, refreshes.Count);
    }

    [Fact]
    public async Task A_failing_refresh_does_not_stop_later_ones()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var calls = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var throttle = new RenderThrottle(
            () =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("database busy");
                }

                second.TrySetResult();
                return Task.CompletedTask;
            },
            Interval,
            clock);

        throttle.Request();
        await WaitUntilAsync(() => throttle.LastError is not null);
        clock.Advance(Interval);
        throttle.Request();

        await second.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("database busy", throttle.LastError!.Message);
    }

    [Fact]
    public async Task Nothing_runs_after_dispose()
    {
        var clock = new WatchedTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var refreshes = new Refreshes();
        var throttle = new RenderThrottle(refreshes.RunAsync, Interval, clock);
        throttle.Request();
        await refreshes.WaitForAsync(1);
        throttle.Request();
        await clock.WaitForWaitsAsync(1, TimeSpan.FromSeconds(10));

        // Disposing lets go of the parked refresh before its time comes; a request after it parks nothing.
        throttle.Dispose();
        await clock.WaitForNoPendingWaitsAsync(TimeSpan.FromSeconds(10));
        clock.Advance(Interval * 2);
        throttle.Request();

        Assert.Single(clock.Waits);
        Assert.Equal(1, refreshes.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

    private sealed class Refreshes
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public Task RunAsync()
        {
            Interlocked.Increment(ref count);
            return Task.CompletedTask;
        }

        public Task WaitForAsync(int expected) => WaitUntilAsync(() => Count >= expected);
    }
}
