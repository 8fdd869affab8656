using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Replication.Registry.Auth;

namespace Replication.Registry.Http;

/// <summary>
/// Sends registry requests: auth challenge handling, redirects, per-host limits and the shared 429 backoff, header
/// timeouts that never cut a long body, and whole-request retries (Polly) for requests that can simply be sent again.
/// </summary>
internal sealed class RegistryTransport
{
    private const int MaxRedirects = 5;

    private readonly HttpClient _http;
    private readonly RegistryEndpoint _endpoint;
    private readonly EndpointAuth _auth;
    private readonly HostTrafficTable _traffic;
    private readonly RegistryClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ILogger _logger;
    private readonly string _endpointAuthority;
    private readonly TimeProvider _time;

    public RegistryTransport(
        HttpClient http, RegistryEndpoint endpoint, EndpointAuth auth, HostTrafficTable traffic,
        RegistryClientOptions options, ResiliencePipeline<HttpResponseMessage> retry, TimeProvider time, ILogger logger)
    {
        _time = time;
        _http = http;
        _endpoint = endpoint;
        _auth = auth;
        _traffic = traffic;
        _options = options;
        _retry = retry;
        _logger = logger;
        _endpointAuthority = endpoint.BaseUrl.GetLeftPart(UriPartial.Authority);
    }

    public EndpointAuth Auth => _auth;

    public RegistryClientOptions Options => _options;

    public TimeProvider Time => _time;

    public Uri Url(string pathAndQuery) => new(_endpoint.BaseUrl, pathAndQuery);

    /// <summary>
    /// Sends the request; transient statuses come back as responses once retries are spent, network faults as a
    /// <see cref="RegistryException"/> whose inner exception tells what happened (and which is transient).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (!request.Retry)
            {
                return await SendAuthenticatedAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                context.Properties.Set(RequestKey, request);
                var outcome = await _retry.ExecuteOutcomeAsync(
                    static async (ctx, state) =>
                    {
                        try
                        {
                            return Outcome.FromResult(await state.SendAuthenticatedAsync(ctx.Properties.GetValue(RequestKey, null!), ctx.CancellationToken).ConfigureAwait(false));
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !ctx.CancellationToken.IsCancellationRequested)
                        {
                            return Outcome.FromException<HttpResponseMessage>(e);
                        }
                    },
                    context,
                    this).ConfigureAwait(false);
                outcome.ThrowIfException();
                return outcome.Result!;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (Exception e) when (IsNetworkFault(e) && !cancellationToken.IsCancellationRequested)
        {
            throw NetworkError(request, e);
        }
    }

    internal static readonly ResiliencePropertyKey<RegistryRequest> RequestKey = new("registry-request");

    /// <summary>The retry strategy: exponential backoff with jitter, Retry-After honoured, on 408/429/5xx and I/O faults.</summary>
    public static ResiliencePipeline<HttpResponseMessage> BuildRetryPipeline(RegistryClientOptions options, TimeProvider time, ILogger logger)
    {
        if (options.MaxAttempts <= 1)
        {
            return ResiliencePipeline<HttpResponseMessage>.Empty;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: { } e } => IsNetworkFault(e),
                    { Result: { } r } => IsTransientStatus(r.StatusCode),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r, time, options.MaxRetryDelay) : null),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, null!);
                    logger.LogWarning(
                        "Retrying {Method} {Url} in {Delay} (attempt {Attempt} of {Max}): {Reason}",
                        request?.Method, request is null ? "" : Redact(request.Uri), args.RetryDelay, args.AttemptNumber + 2, options.MaxAttempts,
                        args.Outcome.Exception?.Message ?? $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not (HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported));

    public static bool IsNetworkFault(Exception e) => e is HttpRequestException or IOException or TimeoutException or SocketException;

    /// <summary>Retry-After as a delay (seconds or HTTP date), capped; null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time, TimeSpan cap)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (delay is null)
        {
            return null;
        }

        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > cap ? cap : delay;
    }

    /// <summary>Host and path without the query (upload URLs carry signed state that has no place in a log).</summary>
    public static string Redact(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    private static RegistryException NetworkError(RegistryRequest request, Exception e)
    {
        var what = e switch
        {
            TimeoutException => e.Message,
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => $"the host name {request.Uri.Host} could not be resolved",
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => $"could not connect to {request.Uri.Authority} ({Innermost(e).Message})",
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => $"TLS with {request.Uri.Authority} failed ({Innermost(e).Message})",
            _ => Innermost(e).Message,
        };
        return new RegistryException($"{request.Method} {Redact(request.Uri)} failed: {what}", null, null, e);
    }

    internal static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private async Task<HttpResponseMessage> SendAuthenticatedAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        if (request.ProductApi)
        {
            return await SendFollowingRedirectsAsync(request, _auth.ProductApiHeader(), cancellationToken).ConfigureAwait(false);
        }

        PlainSender plain = SendPlainAsync;
        var header = await _auth.GetHeaderAsync(request.Scopes, plain, cancellationToken).ConfigureAwait(false);
        var response = await SendFollowingRedirectsAsync(request, header, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenges = AuthChallenge.Parse(response.Headers.TryGetValues("WWW-Authenticate", out var values) ? values : []);
        if (!await _auth.OnUnauthorizedAsync(challenges, request.Scopes, header, plain, cancellationToken).ConfigureAwait(false) || !request.ReplayableBody)
        {
            return response;
        }

        response.Dispose();
        header = await _auth.GetHeaderAsync(request.Scopes, plain, cancellationToken).ConfigureAwait(false);
        return await SendFollowingRedirectsAsync(request, header, cancellationToken).ConfigureAwait(false);
    }

    // Token service requests: the same host limits and retries, no registry credentials.
    private Task<HttpResponseMessage> SendPlainAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            static async (state, ct) =>
            {
                using var message = state.build();
                return await state.self.SendOnceAsync(message, stream: false, ct).ConfigureAwait(false);
            },
            (self: this, build),
            cancellationToken).AsTask();

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(RegistryRequest request, AuthenticationHeaderValue? header, CancellationToken cancellationToken)
    {
        var uri = request.Uri;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(request.Method, uri);
            if (request.Content is not null)
            {
                message.Content = request.Content();
            }

            if (request.Accept is not null)
            {
                foreach (var type in request.Accept)
                {
                    message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                }
            }

            request.Configure?.Invoke(message);

            // Credentials for this registry go to this registry only: a redirect to storage elsewhere travels bare.
            if (string.Equals(uri.GetLeftPart(UriPartial.Authority), _endpointAuthority, StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.Authorization = header;
            }

            var response = await SendOnceAsync(message, request.StreamResponse, cancellationToken).ConfigureAwait(false);
            if (!request.FollowRedirects || !IsRedirect(response.StatusCode) || response.Headers.Location is null || hop >= MaxRedirects)
            {
                return response;
            }

            var next = new Uri(uri, response.Headers.Location);
            _logger.LogDebug("Following redirect from {From} to {To}", Redact(uri), Redact(next));
            response.Dispose();
            uri = next;
        }
    }

    /// <summary>The rate limit the host of <paramref name="uri"/> announced last, if it announces one.</summary>
    public RateLimit? RateLimitOf(Uri uri) => _traffic.For(uri).RateLimit;

    // Said once when first seen (or when the limit changes) and again when running low, not on every request.
    private void LogRateLimit(string host, RateLimit? previous, RateLimit limit)
    {
        if (previous is null || previous.Limit != limit.Limit)
        {
            _logger.LogInformation("{Host} announces a pull rate limit: {RateLimit}", host, limit.ToString());
        }

        if (limit.IsLow && (previous is null || !previous.IsLow || limit.Remaining == 0 && previous.Remaining > 0))
        {
            _logger.LogWarning(
                "{Host} pull rate limit is running out: {RateLimit}. Requests beyond it are refused with 429 until the window moves on; use an account with a higher limit or replicate less often",
                host, limit.ToString());
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>
    /// One HTTP exchange under the host's limit. The header timeout starts once the body (if any) is sent, so a long
    /// upload is never cut by it; a streamed response body is not covered at all (the download stream has its own idle limit).
    /// </summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage message, bool stream, CancellationToken cancellationToken)
    {
        var host = _traffic.For(message.RequestUri!);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (message.Content is null)
        {
            timeout.CancelAfter(_options.RequestTimeout);
        }
        else
        {
            message.Content = new BodySentSignalContent(message.Content, () =>
            {
                try
                {
                    timeout.CancelAfter(_options.RequestTimeout);
                }
                catch (ObjectDisposedException)
                {
                    // The exchange already ended.
                }
            });
        }

        using var slot = await host.EnterAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        var started = _time.GetTimestamp();
        try
        {
            response = await _http.SendAsync(message, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            RegistryMetrics.Record(message.RequestUri!.Authority, message.Method.Method, null, _time.GetElapsedTime(started));
            throw new TimeoutException($"{message.RequestUri!.Authority} did not answer {message.Method} {message.RequestUri.AbsolutePath} within {_options.RequestTimeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException)
        {
            RegistryMetrics.Record(message.RequestUri!.Authority, message.Method.Method, null, _time.GetElapsedTime(started));
            throw;
        }

        RegistryMetrics.Record(message.RequestUri!.Authority, message.Method.Method, (int)response.StatusCode, _time.GetElapsedTime(started));
        if (RateLimit.From(response) is { } limit)
        {
            LogRateLimit(message.RequestUri.Authority, host.Announce(limit), limit);
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            RegistryMetrics.RecordBackoff(message.RequestUri.Authority, (int)response.StatusCode);
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var delay = RetryAfter(response, _time, _options.MaxRetryDelay) ?? _options.RetryBaseDelay * 4;
            _logger.LogWarning("{Host} answered 429 Too Many Requests; every request to it waits {Delay}", message.RequestUri!.Authority, delay);
            host.Pause(delay);
        }

        return response;
    }
}
