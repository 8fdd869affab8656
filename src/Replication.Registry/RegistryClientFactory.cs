using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Replication.Registry.Auth;
using Replication.Registry.Http;

namespace Replication.Registry;

/// <summary>
/// Hands out <see cref="IRegistryClient"/>s. Owns what must outlive a client: one connection pool per TLS configuration,
/// per-host limits and 429 backoff, and the per-endpoint token caches. Register it once (singleton).
/// </summary>
public sealed class RegistryClientFactory : IRegistryClientFactory, IDisposable
{
    private readonly RegistryClientOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly TlsHandlerPool _handlers;
    private readonly HostTrafficTable _traffic;
    private readonly ConcurrentDictionary<RegistryEndpoint, EndpointAuth> _auth = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ILogger _logger;

    public RegistryClientFactory(IOptions<RegistryClientOptions> options, ILoggerFactory loggerFactory)
        : this(options.Value, loggerFactory, TimeProvider.System)
    {
    }

    /// <param name="timeProvider">Clock for token expiry and backoff (tests pass a fake one).</param>
    public RegistryClientFactory(RegistryClientOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new RegistryClientOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _logger = _loggerFactory.CreateLogger<RegistryClientFactory>();
        _handlers = new TlsHandlerPool(_options);
        _traffic = new HostTrafficTable(_options.MaxConcurrentRequestsPerHost, _time);
        _retry = RegistryTransport.BuildRetryPipeline(_options, _time, _loggerFactory.CreateLogger("Replication.Registry.Retry"));
    }

    /// <summary>Until when requests to the host of <paramref name="uri"/> are held back after a 429.</summary>
    internal DateTimeOffset PausedUntil(Uri uri) => _traffic.For(uri).PausedUntil;

    /// <summary>Connection pools created so far (one per distinct TLS configuration).</summary>
    public int ConnectionPools => _handlers.Count;

    /// <exception cref="ArgumentException">The endpoint's URL is not http(s), or its CA certificate is not valid PEM.</exception>
    public IRegistryClient Create(RegistryEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.BaseUrl.IsAbsoluteUri || (endpoint.BaseUrl.Scheme != Uri.UriSchemeHttp && endpoint.BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The registry URL must start with https:// or http:// (got '{endpoint.BaseUrl}').", nameof(endpoint));
        }

        var http = new HttpClient(_handlers.For(endpoint), disposeHandler: false)
        {
            // Blob streams may take hours; each exchange has its own header timeout and each download its idle limit.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 16 * 1024 * 1024,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("replication-admin/1.0");
        var auth = _auth.GetOrAdd(endpoint, e => new EndpointAuth(e.Credential, _time, _logger));
        var transport = new RegistryTransport(http, endpoint, auth, _traffic, _options, _retry, _time, _loggerFactory.CreateLogger<RegistryTransport>());
        return new RegistryClient(endpoint, transport, _loggerFactory.CreateLogger<RegistryClient>());
    }

    public void Dispose()
    {
        _handlers.Dispose();
        _traffic.Dispose();
        foreach (var auth in _auth.Values)
        {
            auth.Dispose();
        }
    }
}
