using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>
/// A real registry given the OCI 1.1 referrers API, which distribution 2.8 lacks: <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>
/// is answered with an image index of the referrers the test declared (an empty index for any other digest, as the spec
/// requires), and every other request is streamed to the registry behind it with its <c>Host</c> header unchanged, so
/// the registry's <c>Location</c> headers keep pointing at whoever is in front.
/// </summary>
public sealed class ReferrersApiFront : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Expect", "Host",
    };

    private readonly ConcurrentDictionary<string, ConcurrentBag<ReferrerEntry>> _referrers = new(StringComparer.Ordinal);
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly string _upstreamUrl;
    private WebApplication? _app;

    private ReferrersApiFront(string upstreamUrl) => _upstreamUrl = upstreamUrl.TrimEnd('/');

    /// <summary>Base URL of the front.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Starts a front for the registry at <paramref name="upstreamUrl"/> on a free loopback port.</summary>
    public static async Task<ReferrersApiFront> StartAsync(string upstreamUrl)
    {
        var front = new ReferrersApiFront(upstreamUrl);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = null;
            o.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.Run(front.HandleAsync);
        await app.StartAsync();
        front._app = app;
        front.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return front;
    }

    /// <summary>Declares that <paramref name="referrerDigest"/> (an OCI manifest of <paramref name="size"/> bytes) refers to <paramref name="subjectDigest"/>.</summary>
    public void AddReferrer(string repository, string subjectDigest, string referrerDigest, long size, string artifactType) =>
        _referrers.GetOrAdd($"{repository}@{subjectDigest}", _ => []).Add(new ReferrerEntry(referrerDigest, size, artifactType));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }

        _upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var marker = path.IndexOf("/referrers/", StringComparison.Ordinal);
        if (HttpMethods.IsGet(context.Request.Method) && path.StartsWith("/v2/", StringComparison.Ordinal) && marker > 4)
        {
            var repository = path[4..marker];
            var digest = path[(marker + "/referrers/".Length)..];
            var entries = _referrers.TryGetValue($"{repository}@{digest}", out var found) ? found.ToArray() : [];
            var body = JsonSerializer.SerializeToUtf8Bytes(new
            {
                schemaVersion = 2,
                mediaType = "application/vnd.oci.image.index.v1+json",
                manifests = entries.Select(e => new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = e.Digest, size = e.Size, artifactType = e.ArtifactType }),
            });
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/vnd.oci.image.index.v1+json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
            return;
        }

        await ForwardAsync(context);
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var incoming = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), _upstreamUrl + incoming.Path.Value + incoming.QueryString.Value);
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0
            || (incoming.ContentLength == 0 && !HttpMethods.IsGet(incoming.Method) && !HttpMethods.IsHead(incoming.Method)))
        {
            outgoing.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (!HopByHop.Contains(name) && !outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        outgoing.Headers.Host = incoming.Host.Value;
        using var upstream = await _upstream.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        foreach (var header in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        await response.StartAsync(context.RequestAborted);
        if (!HttpMethods.IsHead(incoming.Method))
        {
            await using var body = await upstream.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    private sealed record ReferrerEntry(string Digest, long Size, string ArtifactType);
}
