using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Security;

/// <summary>What was tried: a portal password (sign-in form or HTTP Basic) or a registry's webhook secret.</summary>
public enum AttemptKind
{
    Password,
    WebhookSecret,
}

/// <summary>
/// Counts failed credentials per client address with the rate limiters of System.Threading.RateLimiting (the ones
/// ASP.NET Core's rate-limiting middleware runs on; the middleware itself counts every request before it runs, and
/// this must count failures, known only afterwards). Passwords and webhook secrets have separate budgets, so a registry
/// with a stale secret cannot throttle the sign-ins of the host it runs on.
/// </summary>
public sealed class FailedAttemptLimiter : IDisposable
{
    /// <summary>Password checks from one address waiting for their turn; beyond that an address is flooding.</summary>
    private const int MaxQueuedChecks = 100;

    private readonly PartitionedRateLimiter<string> failures;
    private readonly PartitionedRateLimiter<string> turns;

    public FailedAttemptLimiter(IOptions<FailedAttemptOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = Math.Max(1, options.Value.Limit);
        Window = options.Value.Window > TimeSpan.Zero ? options.Value.Window : TimeSpan.FromMinutes(15);
        failures = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

        // One check at a time per address: a burst of wrong passwords is counted one by one, so it cannot get more
        // guesses checked than the limit allows however many it sends at once.
        turns = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = 1,
            QueueLimit = MaxQueuedChecks,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
    }

    /// <summary>The longest an address is refused after using up its failures; what <c>Retry-After</c> says.</summary>
    public TimeSpan Window { get; }

    /// <summary>Whether attempts of <paramref name="kind"/> from <paramref name="partition"/> are refused now, and until when at most.</summary>
    public bool IsRefused(AttemptKind kind, string partition, out TimeSpan retryAfter)
    {
        // Zero permits asks for the state without taking anything.
        using var lease = failures.AttemptAcquire(Key(kind, partition), 0);
        retryAfter = RetryAfterOf(lease);
        return !lease.IsAcquired;
    }

    /// <summary>Counts a failure; true when it was the last one allowed (the address is refused from now on).</summary>
    public bool RecordFailure(AttemptKind kind, string partition, out TimeSpan retryAfter)
    {
        using (var lease = failures.AttemptAcquire(Key(kind, partition)))
        {
            if (!lease.IsAcquired)
            {
                retryAfter = RetryAfterOf(lease);
                return true;
            }
        }

        return IsRefused(kind, partition, out retryAfter);
    }

    /// <summary>Waits until no other password check of this address runs; a lease that is not acquired means the queue is full.</summary>
    public ValueTask<RateLimitLease> WaitTurnAsync(string partition, CancellationToken cancellationToken) =>
        turns.AcquireAsync(partition, 1, cancellationToken);

    public void Dispose()
    {
        failures.Dispose();
        turns.Dispose();
    }

    private TimeSpan RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : Window;

    private static string Key(AttemptKind kind, string partition) => $"{kind}|{partition}";
}
