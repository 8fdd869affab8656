namespace Replication.Registry;

/// <summary>Limits and timings of registry traffic (bound from configuration section <c>Replication:Registry</c> by the app).</summary>
public sealed class RegistryClientOptions
{
    /// <summary>
    /// Requests in flight to one registry host (scheme, host and port) at once, counted until the response headers
    /// arrive: an upload holds its slot while its body is sent; an open download stream does not, so copying between
    /// two repositories of one registry can never starve itself.
    /// </summary>
    public int MaxConcurrentRequestsPerHost { get; set; } = 32;

    /// <summary>Blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks that can resume.</summary>
    public long MonolithicUploadLimitBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Size of one PATCH chunk for large blobs.</summary>
    public long ChunkSizeBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Attempts for a request that failed on a transient fault (408, 429, 5xx, I/O), the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First backoff delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest single backoff, including one a registry asks for with <c>Retry-After</c>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit of "Test Connection".</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Wait for a response's headers once the request (and its body) has been sent, and the idle limit of a blob download
    /// between two reads. Blob bodies stream as long as bytes keep arriving: there is no overall request timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
