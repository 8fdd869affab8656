using Replication.Registry.Auth;

namespace Replication.Registry.Http;

/// <summary>Everything needed to (re)build one registry request for each attempt.</summary>
internal sealed record RegistryRequest(HttpMethod Method, Uri Uri, Scopes Scopes)
{
    /// <summary>Creates the body anew for each attempt; null for bodiless requests.</summary>
    public Func<HttpContent>? Content { get; init; }

    public IReadOnlyList<string>? Accept { get; init; }

    /// <summary>Extra headers (Range, Content-Range, …).</summary>
    public Action<HttpRequestMessage>? Configure { get; init; }

    /// <summary>Whole-request retries on transient faults. Off for streamed uploads, which resume instead.</summary>
    public bool Retry { get; init; } = true;

    /// <summary>
    /// False when the body is read from a stream as it is sent: after a 401 the token is refreshed but the request is
    /// not sent again (the caller resumes instead).
    /// </summary>
    public bool ReplayableBody { get; init; } = true;

    /// <summary>Return as soon as headers arrive and leave the body to be streamed.</summary>
    public bool StreamResponse { get; init; }

    /// <summary>
    /// A request to the product's own API (Harbor's <c>/api/v2.0</c>), which takes the account's Basic credentials as
    /// they are rather than the registry's token flow.
    /// </summary>
    public bool ProductApi { get; init; }

    /// <summary>Follow 3xx for GET/HEAD (blob storage redirects), never forwarding Authorization to another host.</summary>
    public bool FollowRedirects { get; init; }
}
