using System.Collections.Concurrent;

namespace Replication.Registry.Http;

/// <summary>
/// What every request to one registry host shares: a limit on requests in flight and one backoff, so that when the
/// host answers 429 every caller waits, not just the one that was told.
/// </summary>
internal sealed class HostTraffic : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _time;
    private long _pausedUntilTicks;
    private RateLimit? _rateLimit;

    public HostTraffic(int maxConcurrentRequests, TimeProvider time)
    {
        _slots = new SemaphoreSlim(Math.Max(1, maxConcurrentRequests));
        _time = time;
    }

    public int AvailableSlots => _slots.CurrentCount;

    /// <summary>The rate limit the host announced last (<c>ratelimit-*</c> headers); null until it announces one.</summary>
    public RateLimit? RateLimit => Volatile.Read(ref _rateLimit);

    /// <summary>Keeps <paramref name="limit"/> as the host's latest; returns the one it replaces.</summary>
    public RateLimit? Announce(RateLimit limit) => Interlocked.Exchange(ref _rateLimit, limit);

    public DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);

    /// <summary>Waits out a shared backoff, then takes a slot. Dispose the result when the response headers are in.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await WaitForBackoffAsync(cancellationToken).ConfigureAwait(false);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(_slots);
    }

    /// <summary>Holds back every request to this host until now + <paramref name="delay"/> (never shortens a longer pause).</summary>
    public void Pause(TimeSpan delay)
    {
        var until = (_time.GetUtcNow() + delay).UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilTicks);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntilTicks, until, current) != current);
    }

    public void Dispose() => _slots.Dispose();

    private async ValueTask WaitForBackoffAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = PausedUntil - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

/// <summary>One <see cref="HostTraffic"/> per scheme://host:port, shared by every client of a factory.</summary>
internal sealed class HostTrafficTable(int maxConcurrentRequestsPerHost, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, HostTraffic> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public HostTraffic For(Uri uri) =>
        _hosts.GetOrAdd(uri.GetLeftPart(UriPartial.Authority), _ => new HostTraffic(maxConcurrentRequestsPerHost, time));

    public void Dispose()
    {
        foreach (var host in _hosts.Values)
        {
            host.Dispose();
        }
    }
}
