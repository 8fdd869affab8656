namespace Replication.Registry;

/// <summary>What "Test Connection" tells an administrator.</summary>
public enum PingOutcome
{
    Ok,
    Unreachable,
    TlsFailure,
    NotARegistry,
    Unauthorized,
    Timeout,
}

public sealed record PingResult(PingOutcome Outcome, string Message, string? ApiVersion = null)
{
    public bool Ok => Outcome == PingOutcome.Ok;

    /// <summary>The pull rate limit the registry announced, when it announces one (Docker Hub).</summary>
    public RateLimit? RateLimit { get; init; }
}
