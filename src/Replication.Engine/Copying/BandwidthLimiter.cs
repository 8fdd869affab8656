using System.Diagnostics;

namespace Replication.Engine.Copying;

/// <summary>
/// One token bucket of bytes shared by every blob stream of a run, so a rule's limit holds for all its parallel
/// transfers together (Harbor limits per rule too; a per-stream limit would multiply by the parallelism).
/// </summary>
/// <remarks>
/// Tokens accrue from elapsed time, not per timer tick: <c>TokenBucketRateLimiter</c> adds a fixed refill per tick, so on a
/// loaded machine its late timers lose budget (a 2 MiB/s limit measured 1.66 MiB/s at load 28). A reader that finds the
/// bucket short takes the bytes on credit and sleeps until the debt is paid, so waiters are served in order.
/// </remarks>
internal sealed class BandwidthLimiter
{
    // Up to a quarter second of budget saved while streams are idle: small next to a run, large next to timer jitter.
    private static readonly double BurstSeconds = 0.25;

    private readonly Lock _lock = new();
    private readonly double _bytesPerTick;
    private readonly double _capacity;
    private double _tokens;
    private long _last = Stopwatch.GetTimestamp();

    private BandwidthLimiter(long bytesPerSecond)
    {
        BytesPerSecond = bytesPerSecond;
        _bytesPerTick = (double)bytesPerSecond / Stopwatch.Frequency;
        _capacity = Math.Max(bytesPerSecond * BurstSeconds, 64 * 1024);
    }

    /// <summary>The limit this bucket enforces.</summary>
    public long BytesPerSecond { get; }

    /// <summary>A limiter for <paramref name="kibPerSecond"/> KiB/s; null for no limit (null, zero or less).</summary>
    public static BandwidthLimiter? For(int? kibPerSecond) => kibPerSecond is > 0 and { } limit ? new BandwidthLimiter(limit * 1024L) : null;

    /// <summary>Waits until <paramref name="bytes"/> (already read) fit the budget.</summary>
    public Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        double debt;
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + ((now - _last) * _bytesPerTick));
            _last = now;
            _tokens -= bytes;
            debt = -_tokens;
        }

        return debt <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds(debt / BytesPerSecond), cancellationToken);
    }
}
