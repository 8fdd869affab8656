namespace Replication.Registry;

/// <summary>Limits and timings of registry traffic (bound from configuration section <c>Replication:Registry</c> by the app).</summary>
public sealed class RegistryClientOptions
{
    /// <summary>Requests in flight to one registry host at once.</summary>
    public int MaxConcurrentRequestsPerHost { get; set; } = 16;

    /// <summary>Blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks that can resume.</summary>
    public long MonolithicUploadLimitBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Size of one PATCH chunk for large blobs.</summary>
    public long ChunkSizeBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Attempts for a request that failed on a transient fault (408, 429, 5xx, I/O), the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First backoff delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Limit of "Test Connection".</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle limit for a single request's headers; blob bodies stream as long as bytes keep arriving.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
