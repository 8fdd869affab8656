using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Replication.Testing.Registries;

namespace Replication.Testing.Faults;

/// <summary>
/// A streaming HTTP proxy on loopback in front of a real registry that injects faults on demand: cut a
/// connection after N bytes of a request or response body, answer with 503 or 429 + <c>Retry-After</c>,
/// add latency. The <c>Host</c> header is forwarded unchanged, so the registry's absolute <c>Location</c>
/// headers point back at the proxy. Bodies are streamed in both directions, never buffered. Every request
/// is recorded in <see cref="Exchanges"/> for assertions (was a mount attempted, how many bytes each upload sent).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Expect", "Host",
    };

    private readonly LoopbackServer _server;
    private readonly HttpClient _upstream;
    private readonly string _upstreamUrl;
    private readonly List<Fault> _faults = [];
    private readonly Lock _faultsGate = new();
    private readonly ConcurrentQueue<ProxiedExchange> _exchanges = new();
    private long _sequence;
    private int _inFlight;
    private int _tagPageSize; // 0: tag lists pass through untouched
    private PullLimit? _pullLimit;

    private FaultProxy(LoopbackServer server, HttpClient upstream, string upstreamUrl)
    {
        _server = server;
        _upstream = upstream;
        _upstreamUrl = upstreamUrl;
    }

    /// <summary>The proxy's base URL, to give the code under test instead of the registry's.</summary>
    public string Url => _server.Url;

    /// <summary>Host and port of the proxy: <c>127.0.0.1:port</c>.</summary>
    public string Authority => _server.Address.Authority;

    /// <summary>The registry behind the proxy.</summary>
    public string UpstreamUrl => _upstreamUrl;

    /// <summary>
    /// Every finished request, in completion order. Reading it first lets requests still in the proxy finish (up to
    /// 2 s): a client can hold a whole response a moment before the proxy has logged it.
    /// </summary>
    public IReadOnlyList<ProxiedExchange> Exchanges
    {
        get
        {
            Settle();
            return [.. _exchanges.OrderBy(e => e.Sequence)];
        }
    }

    /// <summary>Starts a proxy in front of a test registry.</summary>
    public static Task<FaultProxy> StartAsync(RegistryProcess registry, CancellationToken cancellationToken = default) =>
        StartAsync((registry ?? throw new ArgumentNullException(nameof(registry))).Url, cancellationToken);

    /// <summary>Starts a proxy in front of any HTTP base URL.</summary>
    public static async Task<FaultProxy> StartAsync(string upstreamUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstreamUrl);
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        FaultProxy? proxy = null;
        var server = await LoopbackServer.StartAsync(context => proxy!.HandleAsync(context), cancellationToken);
        proxy = new FaultProxy(server, upstream, upstreamUrl.TrimEnd('/'));
        return proxy;
    }

    /// <summary>
    /// The next <paramref name="times"/> matching requests get their response headers and the first
    /// <paramref name="afterBytes"/> body bytes, then the connection is aborted (a cut mid-download).
    /// </summary>
    public void CutResponse(RequestMatch match, long afterBytes, int times = 1) =>
        Add(new Fault(match, FaultKind.CutResponse, times) { Bytes = afterBytes });

    /// <summary>
    /// The next <paramref name="times"/> matching requests have their first <paramref name="afterBytes"/> body
    /// bytes forwarded to the registry, then both connections are aborted (a cut mid-upload).
    /// </summary>
    public void CutRequest(RequestMatch match, long afterBytes, int times = 1) =>
        Add(new Fault(match, FaultKind.CutRequest, times) { Bytes = afterBytes });

    /// <summary>The next <paramref name="times"/> matching requests are answered with <paramref name="status"/> (503 by default) without reaching the registry.</summary>
    public void FailWith(RequestMatch match, int times = 1, HttpStatusCode status = HttpStatusCode.ServiceUnavailable) =>
        Add(new Fault(match, FaultKind.Status, times) { Status = status });

    /// <summary>The next <paramref name="times"/> matching requests are answered 429 with <c>Retry-After</c> in whole seconds.</summary>
    public void Throttle(RequestMatch match, TimeSpan retryAfter, int times = 1) =>
        Add(new Fault(match, FaultKind.Status, times) { Status = HttpStatusCode.TooManyRequests, RetryAfter = retryAfter });

    /// <summary>The next <paramref name="times"/> matching requests wait <paramref name="latency"/> before being forwarded.</summary>
    public void Delay(RequestMatch match, TimeSpan latency, int times = int.MaxValue) =>
        Add(new Fault(match, FaultKind.Delay, times) { Latency = latency });

    /// <summary>
    /// The next <paramref name="times"/> matching requests reach the registry at once, but its answer is held back for
    /// <paramref name="latency"/>: a client that gives up meanwhile has still had its request carried out.
    /// </summary>
    public void DelayResponse(RequestMatch match, TimeSpan latency, int times = int.MaxValue) =>
        Add(new Fault(match, FaultKind.DelayResponse, times) { Latency = latency });

    /// <summary>
    /// Makes tag lists page like newer registries do (distribution 2.8 ignores <c>n</c> and <c>last</c> and
    /// returns every tag unordered): tags sorted, at most <c>n</c> per page and never more than
    /// <paramref name="maxPageSize"/>, after <c>last</c>, with a relative <c>Link: &lt;...&gt;; rel="next"</c>
    /// header while more remain. Pass null to switch it off.
    /// </summary>
    public void PageTagLists(int? maxPageSize = 100)
    {
        if (maxPageSize is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPageSize), maxPageSize, "A page holds at least one tag.");
        }

        Volatile.Write(ref _tagPageSize, maxPageSize ?? 0);
    }

    /// <summary>
    /// Makes the registry count pulls like Docker Hub: every manifest GET that finds a manifest spends one of
    /// <paramref name="limit"/> per <paramref name="window"/>, a HEAD spends none; manifest answers carry
    /// <c>ratelimit-limit: 100;w=21600</c> and <c>ratelimit-remaining</c>, and a GET with none left is answered 429
    /// <c>TOOMANYREQUESTS</c>. Pass 0 to switch it off.
    /// </summary>
    public void LimitPulls(int limit, TimeSpan window) =>
        Volatile.Write(ref _pullLimit, limit <= 0 ? null : new PullLimit(limit, (int)window.TotalSeconds));

    /// <summary>Pulls (manifest GETs) left under <see cref="LimitPulls"/>.</summary>
    public int PullsLeft => Volatile.Read(ref _pullLimit) is { } pulls ? Math.Max(0, pulls.Limit - Volatile.Read(ref pulls.Spent)) : 0;

    /// <summary>Drops every pending fault.</summary>
    public void ClearFaults()
    {
        lock (_faultsGate)
        {
            _faults.Clear();
        }
    }

    /// <summary>How many pending (not yet used) injections remain across all faults.</summary>
    public int PendingFaults
    {
        get
        {
            lock (_faultsGate)
            {
                return _faults.Sum(f => f.Remaining);
            }
        }
    }

    /// <summary>Forgets the recorded exchanges, once requests still in the proxy have finished (up to 2 s).</summary>
    public void ClearExchanges()
    {
        Settle();
        _exchanges.Clear();
    }

    // Waits while requests are inside the proxy; a long transfer still running after 2 s is simply not logged yet.
    private void Settle()
    {
        var deadline = Environment.TickCount64 + 2000;
        while (Volatile.Read(ref _inFlight) > 0 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(5);
        }
    }

    /// <summary>How many finished requests matched.</summary>
    public int Count(RequestMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return Exchanges.Count(e => match.Matches(e.Method, e.Path, e.Query));
    }

    /// <summary>Finished requests that matched, in order.</summary>
    public IReadOnlyList<ProxiedExchange> Matching(RequestMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return [.. Exchanges.Where(e => match.Matches(e.Method, e.Path, e.Query))];
    }

    /// <summary>Describes the proxy.</summary>
    public override string ToString() => $"FaultProxy {Url} -> {_upstreamUrl}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _upstream.Dispose();
    }

    private void Add(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault.Match);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Remaining, "times");
        lock (_faultsGate)
        {
            _faults.Add(fault);
        }
    }

    private static async Task WriteTagPageAsync(HttpContext context, HttpResponseMessage upstream, int maxPageSize, ExchangeCounters counters)
    {
        // A tag list is small: the one body this proxy reads whole.
        using var json = JsonDocument.Parse(await upstream.Content.ReadAsStringAsync(context.RequestAborted));
        var name = json.RootElement.GetProperty("name").GetString()!;
        var all = json.RootElement.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList()
            : [];
        var query = context.Request.Query;
        var size = int.TryParse(query["n"], out var n) && n > 0 ? Math.Min(n, maxPageSize) : maxPageSize;
        var last = query["last"].ToString();
        var rest = string.IsNullOrEmpty(last) ? all : all.Where(tag => string.CompareOrdinal(tag, last) > 0).ToList();
        var page = rest.Take(size).ToList();
        var response = context.Response;
        response.Headers.Remove("Content-Length");
        if (rest.Count > page.Count)
        {
            response.Headers["Link"] = $"</v2/{name}/tags/list?n={size}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new { name, tags = page });
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
        Interlocked.Add(ref counters.ResponseBytes, body.Length);
    }

    private (List<TimeSpan> Delays, List<TimeSpan> ResponseDelays, Fault? Outcome) TakeFaults(string method, string path, string query)
    {
        var delays = new List<TimeSpan>();
        var responseDelays = new List<TimeSpan>();
        Fault? outcome = null;
        lock (_faultsGate)
        {
            foreach (var fault in _faults.Where(f => f.Remaining > 0 && f.Match.Matches(method, path, query)))
            {
                if (fault.Kind == FaultKind.Delay)
                {
                    fault.Remaining--;
                    delays.Add(fault.Latency);
                }
                else if (fault.Kind == FaultKind.DelayResponse)
                {
                    fault.Remaining--;
                    responseDelays.Add(fault.Latency);
                }
                else if (outcome is null)
                {
                    fault.Remaining--;
                    outcome = fault;
                }
            }

            _faults.RemoveAll(f => f.Remaining <= 0);
        }

        return (delays, responseDelays, outcome);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? string.Empty;
        var record = new ExchangeCounters();
        string? injected = null;
        var status = 0;
        Interlocked.Increment(ref _inFlight);
        try
        {
            var (delays, responseDelays, fault) = TakeFaults(method, path, query);
            foreach (var delay in delays)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            var pulls = Volatile.Read(ref _pullLimit);
            var manifestRead = pulls is not null && (RequestMatch.ManifestGet.Matches(method, path, query) || RequestMatch.ManifestHead.Matches(method, path, query));
            if (manifestRead && HttpMethods.IsGet(method) && Volatile.Read(ref pulls!.Spent) >= pulls.Limit)
            {
                injected = "pull limit";
                status = (int)HttpStatusCode.TooManyRequests;
                pulls.AddHeaders(context.Response);
                await AnswerAsync(context, new Fault(RequestMatch.Any, FaultKind.Status, 1) { Status = HttpStatusCode.TooManyRequests });
                return;
            }

            if (fault is { Kind: FaultKind.Status })
            {
                injected = $"status {(int)fault.Status}";
                status = (int)fault.Status;
                await AnswerAsync(context, fault);
                return;
            }

            injected = fault is null ? null : fault.Kind == FaultKind.CutRequest ? $"cut request after {fault.Bytes}" : $"cut response after {fault.Bytes}";
            await ForwardAsync(context, fault, responseDelays.Aggregate(TimeSpan.Zero, (a, b) => a + b), record, manifestRead ? pulls : null);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or InjectedCutException)
        {
            // The client or the registry went away, or we cut on purpose: drop the connection.
            context.Abort();
        }
        finally
        {
            _exchanges.Enqueue(new ProxiedExchange(
                Interlocked.Increment(ref _sequence),
                method,
                path,
                query,
                status != 0 ? status : record.Status,
                Interlocked.Read(ref record.RequestBytes),
                Interlocked.Read(ref record.ResponseBytes),
                injected));
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task AnswerAsync(HttpContext context, Fault fault)
    {
        var response = context.Response;
        response.StatusCode = (int)fault.Status;
        if (fault.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // The request body, if any, is not read: like a busy registry, we answer and let Kestrel close the connection.
        response.ContentType = "application/json";
        var code = fault.Status == HttpStatusCode.TooManyRequests ? "TOOMANYREQUESTS" : "UNAVAILABLE";
        await response.WriteAsync($$"""{"errors":[{"code":"{{code}}","message":"injected by the test fault proxy"}]}""", context.RequestAborted);
    }

    private async Task ForwardAsync(HttpContext context, Fault? fault, TimeSpan responseDelay, ExchangeCounters counters, PullLimit? pulls = null)
    {
        var incoming = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), _upstreamUrl + incoming.Path.Value + incoming.QueryString.Value);
        var hasBody = incoming.ContentLength > 0
            || (incoming.ContentLength is null && incoming.Headers.TransferEncoding.Count > 0)
            || (incoming.ContentLength == 0 && !HttpMethods.IsGet(incoming.Method) && !HttpMethods.IsHead(incoming.Method));
        if (hasBody)
        {
            var cutAfter = fault?.Kind == FaultKind.CutRequest ? fault.Bytes : (long?)null;
            outgoing.Content = new ForwardedBody(incoming.Body, incoming.ContentLength, cutAfter, counters);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        outgoing.Headers.Host = incoming.Host.Value;

        using var upstream = await _upstream.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        counters.Status = (int)upstream.StatusCode;
        if (responseDelay > TimeSpan.Zero)
        {
            await Task.Delay(responseDelay, context.RequestAborted);
        }

        foreach (var header in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (pulls is not null)
        {
            if (HttpMethods.IsGet(incoming.Method) && upstream.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref pulls.Spent);
            }

            pulls.AddHeaders(response);
        }

        var pageSize = Volatile.Read(ref _tagPageSize);
        if (pageSize > 0 && upstream.StatusCode == HttpStatusCode.OK && RequestMatch.TagList.Matches(incoming.Method, incoming.Path.Value ?? "/", string.Empty))
        {
            await WriteTagPageAsync(context, upstream, pageSize, counters);
            return;
        }

        await response.StartAsync(context.RequestAborted);
        if (HttpMethods.IsHead(context.Request.Method) || upstream.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
        {
            return;
        }

        var cutAfterBytes = fault?.Kind == FaultKind.CutResponse ? fault.Bytes : long.MaxValue;
        await using var body = await upstream.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var allowed = (int)Math.Min(buffer.Length, cutAfterBytes - counters.ResponseBytes);
            if (allowed <= 0)
            {
                await response.Body.FlushAsync(context.RequestAborted);
                throw new InjectedCutException();
            }

            var read = await body.ReadAsync(buffer.AsMemory(0, allowed), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            Interlocked.Add(ref counters.ResponseBytes, read);
        }
    }

    /// <summary>Docker Hub's pull accounting: a limit per window and the manifest GETs spent so far.</summary>
    private sealed class PullLimit(int limit, int windowSeconds)
    {
        public int Spent;

        public int Limit { get; } = limit;

        public void AddHeaders(HttpResponse response)
        {
            response.Headers["ratelimit-limit"] = $"{Limit};w={windowSeconds}";
            response.Headers["ratelimit-remaining"] = $"{Math.Max(0, Limit - Volatile.Read(ref Spent))};w={windowSeconds}";
        }
    }

    private enum FaultKind
    {
        CutResponse,
        CutRequest,
        Status,
        Delay,
        DelayResponse,
    }

    private sealed class Fault(RequestMatch match, FaultKind kind, int times)
    {
        public RequestMatch Match { get; } = match;

        public FaultKind Kind { get; } = kind;

        public int Remaining { get; set; } = times;

        public long Bytes { get; init; }

        public HttpStatusCode Status { get; init; }

        public TimeSpan? RetryAfter { get; init; }

        public TimeSpan Latency { get; init; }
    }

    private sealed class ExchangeCounters
    {
        public long RequestBytes;
        public long ResponseBytes;
        public int Status;
    }

    private sealed class InjectedCutException : Exception
    {
        public InjectedCutException()
            : base("Connection cut by the test fault proxy.")
        {
        }
    }

    /// <summary>Streams the client's request body to the registry, counting bytes, and cuts after a limit.</summary>
    private sealed class ForwardedBody(Stream source, long? length, long? cutAfter, ExchangeCounters counters) : HttpContent
    {
        protected override bool TryComputeLength(out long computed)
        {
            computed = length ?? 0;
            return length is not null;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            var limit = cutAfter ?? long.MaxValue;
            while (true)
            {
                var allowed = (int)Math.Min(buffer.Length, limit - counters.RequestBytes);
                if (allowed <= 0)
                {
                    await stream.FlushAsync(cancellationToken);
                    // Give the registry a moment to take in what it got before the connection drops.
                    await Task.Delay(100, cancellationToken);
                    throw new InjectedCutException();
                }

                var read = await source.ReadAsync(buffer.AsMemory(0, allowed), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                Interlocked.Add(ref counters.RequestBytes, read);
            }
        }
    }
}

/// <summary>One request that went through the proxy.</summary>
/// <param name="Sequence">Order in which requests finished.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path, e.g. <c>/v2/team/app/blobs/uploads/&lt;id&gt;</c> (the upload id groups the requests of one upload).</param>
/// <param name="Query">Query string including <c>?</c>, or empty.</param>
/// <param name="StatusCode">Status returned to the client; 0 when the connection dropped before a status.</param>
/// <param name="RequestBytes">Request body bytes forwarded to the registry.</param>
/// <param name="ResponseBytes">Response body bytes forwarded to the client.</param>
/// <param name="InjectedFault">The fault applied, or null when forwarded untouched.</param>
public sealed record ProxiedExchange(
    long Sequence,
    string Method,
    string Path,
    string Query,
    int StatusCode,
    long RequestBytes,
    long ResponseBytes,
    string? InjectedFault);
