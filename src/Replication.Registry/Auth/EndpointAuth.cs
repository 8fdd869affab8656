using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Replication.Registry.Http;

namespace Replication.Registry.Auth;

/// <summary>Sends a request built fresh per attempt, through host limits and retries but without registry auth.</summary>
internal delegate Task<HttpResponseMessage> PlainSender(Func<HttpRequestMessage> build, CancellationToken cancellationToken);

/// <summary>
/// How one endpoint (URL + credential) authenticates: the scheme its last challenge asked for, and bearer tokens cached
/// per scope until shortly before they expire. Shared by every client of the same endpoint, so tokens outlive clients.
/// </summary>
internal sealed class EndpointAuth : IDisposable
{
    private const string TokenUserName = "token";
    private const string ClientId = "replication-admin";

    private readonly RegistryCredential _credential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private volatile AuthChallenge? _challenge;
    private int _tokenFetches;

    public EndpointAuth(RegistryCredential credential, TimeProvider time, ILogger logger)
    {
        _credential = credential;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many tokens were fetched from the token service (for tests and diagnostics).</summary>
    public int TokenFetches => Volatile.Read(ref _tokenFetches);

    public bool HasCredentials => _credential is not AnonymousCredential;

    /// <summary>Puts a token in the cache as if it had been fetched (tests use it to plant one the registry will refuse).</summary>
    internal void Remember(Scopes scopes, string token, DateTimeOffset refreshAfter) => _tokens[scopes.Key] = new CachedToken(token, refreshAfter);

    /// <summary>The Authorization header to send for <paramref name="scopes"/>, fetching a token first when the registry is known to want one.</summary>
    public async ValueTask<AuthenticationHeaderValue?> GetHeaderAsync(Scopes scopes, PlainSender send, CancellationToken cancellationToken)
    {
        var challenge = _challenge;
        if (challenge is null)
        {
            return null; // The first request goes out bare: the registry's challenge says what it wants.
        }

        if (challenge.IsBasic)
        {
            return BasicHeader();
        }

        if (_tokens.TryGetValue(scopes.Key, out var cached) && cached.RefreshAfter > _time.GetUtcNow())
        {
            return new AuthenticationHeaderValue("Bearer", cached.Value);
        }

        var token = await FetchAndCacheAsync(challenge, scopes, stale: cached?.Value, send, cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// Reacts to a 401: remembers the scheme, drops a token the registry no longer accepts and fetches a fresh one.
    /// True when the request is worth sending again with new credentials.
    /// </summary>
    public async Task<bool> OnUnauthorizedAsync(
        IReadOnlyList<AuthChallenge> challenges, Scopes scopes, AuthenticationHeaderValue? sent, PlainSender send, CancellationToken cancellationToken)
    {
        var challenge = challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
        if (challenge is null)
        {
            return false;
        }

        _challenge = challenge;
        if (challenge.IsBasic)
        {
            // Sending the same Basic credentials again cannot succeed; sending none cannot either.
            return sent?.Scheme != "Basic" && BasicHeader() is not null;
        }

        var stale = sent?.Scheme == "Bearer" ? sent.Parameter : null;
        await FetchAndCacheAsync(challenge, scopes.With(challenge.Scope), stale, send, cancellationToken, cacheKey: scopes.Key).ConfigureAwait(false);
        return true;
    }

    /// <summary>Basic credentials for the product's own API (Harbor's), which does not take registry tokens; null when anonymous.</summary>
    public AuthenticationHeaderValue? ProductApiHeader() => _credential is BasicCredential ? BasicHeader() : null;

    private AuthenticationHeaderValue? BasicHeader() => _credential switch
    {
        BasicCredential b => new AuthenticationHeaderValue("Basic", Encode(b.Username, b.Password)),
        TokenCredential t => new AuthenticationHeaderValue("Basic", Encode(TokenUserName, t.Value)),
        _ => null,
    };

    private async Task<string> FetchAndCacheAsync(
        AuthChallenge challenge, Scopes scopes, string? stale, PlainSender send, CancellationToken cancellationToken, string? cacheKey = null)
    {
        cacheKey ??= scopes.Key;
        await _fetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have refreshed it while this one waited.
            if (_tokens.TryGetValue(cacheKey, out var cached) && cached.Value != stale && cached.RefreshAfter > _time.GetUtcNow())
            {
                return cached.Value;
            }

            var fresh = await FetchAsync(challenge, scopes, send, cancellationToken).ConfigureAwait(false);
            _tokens[cacheKey] = fresh;
            return fresh.Value;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    private async Task<CachedToken> FetchAsync(AuthChallenge challenge, Scopes scopes, PlainSender send, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryException($"The registry asked for a bearer token but named no usable token service (realm '{challenge.Realm}').");
        }

        Interlocked.Increment(ref _tokenFetches);
        _logger.LogDebug("Fetching a registry token from {Realm} for scope '{Scope}'", realm.GetLeftPart(UriPartial.Path), scopes.Key);

        if (_credential is TokenCredential refresh)
        {
            // Identity/refresh tokens use the OAuth2 grant; tokens that are really passwords (PATs) fall through to GET.
            using var oauth = await send(() => OAuthRefreshRequest(realm, challenge.Service, scopes, refresh.Value), cancellationToken).ConfigureAwait(false);
            if (oauth.IsSuccessStatusCode)
            {
                return await ReadTokenAsync(oauth, realm, cancellationToken).ConfigureAwait(false);
            }
        }

        using var response = await send(() => TokenRequest(realm, challenge.Service, scopes), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var errors = RegistryErrorBody.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            throw new RegistryException(
                HasCredentials
                    ? $"The token service at {realm.Authority} rejected the credentials ({(int)response.StatusCode})."
                    : $"The token service at {realm.Authority} requires credentials ({(int)response.StatusCode}).",
                response.StatusCode,
                errors.Count > 0 ? errors : [new RegistryError(RegistryErrorCodes.Unauthorized, "token request refused")]);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(
                $"The token service at {realm.Authority} answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                response.StatusCode,
                RegistryErrorBody.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)));
        }

        return await ReadTokenAsync(response, realm, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage TokenRequest(Uri realm, string? service, Scopes scopes)
    {
        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] : "");
        void Add(string name, string value)
        {
            if (query.Length > 0)
            {
                query.Append('&');
            }

            query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        if (!string.IsNullOrEmpty(service))
        {
            Add("service", service);
        }

        foreach (var scope in scopes.Values)
        {
            Add("scope", scope);
        }

        if (_credential is TokenCredential)
        {
            Add("client_id", ClientId);
        }

        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = BasicHeader();
        return request;
    }

    private static HttpRequestMessage OAuthRefreshRequest(Uri realm, string? service, Scopes scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", ClientId),
            new("scope", string.Join(' ', scopes.Values)),
        };
        if (!string.IsNullOrEmpty(service))
        {
            form.Add(new("service", service));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private async Task<CachedToken> ReadTokenAsync(HttpResponseMessage response, Uri realm, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()
                : null;
            if (string.IsNullOrEmpty(token))
            {
                throw new RegistryException($"The token service at {realm.Authority} answered without a token.");
            }

            // The spec's default lifetime is 60 seconds when expires_in is missing.
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(60);
            return new CachedToken(token, _time.GetUtcNow() + lifetime - RefreshMargin(lifetime));
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"The token service at {realm.Authority} answered with something that is not a token (not JSON).", ex);
        }
    }

    /// <summary>Refresh a little before expiry (a fifth of the lifetime, at most 30 s) so no request carries a token that dies in flight.</summary>
    internal static TimeSpan RefreshMargin(TimeSpan lifetime) =>
        TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 5, TimeSpan.FromSeconds(30).Ticks));

    public void Dispose() => _fetchLock.Dispose();

    private static string Encode(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAfter)
    {
        public override string ToString() => $"CachedToken {{ RefreshAfter = {RefreshAfter:O} }}";
    }
}
