using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Replication.Engine.Tests.Projects;

/// <summary>
/// A stub of Harbor's v2.0 project API, answering as Harbor documents it (swagger <c>api/v2.0/swagger.yaml</c>):
/// <c>HEAD /api/v2.0/projects?project_name=</c> 200/404, <c>GET /api/v2.0/projects?name=</c> (a fuzzy match) with
/// <c>X-Total-Count</c>, <c>POST /api/v2.0/projects</c> 201 with <c>Location</c> or 409 <c>CONFLICT</c>, and
/// <c>{"errors":[{"code","message"}]}</c> bodies for 401/403, and the artifact list
/// (<c>GET /api/v2.0/projects/{p}/repositories/{r}/artifacts?page=&amp;page_size=&amp;with_tag=true</c>, the repository name
/// URL-encoded twice, <c>X-Total-Count</c>), made from what the registry behind it holds. Like Harbor, it serves the
/// registry API on the same host: <c>/v2/</c> requests are forwarded to a real <c>docker-registry</c>. The only stub of
/// these tests.
/// </summary>
public sealed class HarborApiStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _registry;
    private readonly string? _registryUrl;
    private readonly ConcurrentDictionary<string, int> _projects = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _registryRequests = new();
    private int _nextId = 1;

    private HarborApiStub(WebApplication app, string? registryUrl)
    {
        _app = app;
        _registryUrl = registryUrl?.TrimEnd('/');
        _registry = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Url { get; private set; } = "";

    public string UserName { get; } = "admin";

    public string Password { get; } = "Harbor12345";

    /// <summary>Answer HEAD with 405, as some proxies in front of Harbor do.</summary>
    public bool RefuseHead { get; set; }

    /// <summary>The account may not create projects (403).</summary>
    public bool ForbidCreation { get; set; }

    /// <summary>Runs just before a creation is handled (to create the project "concurrently").</summary>
    public Action<string>? BeforeCreate { get; set; }

    /// <summary>Every API request as "METHOD path?query" (registry requests are not listed).</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Every registry request forwarded, as "METHOD path".</summary>
    public IReadOnlyList<string> RegistryRequests => [.. _registryRequests];

    /// <summary>Answer the artifact list with 403, as for an account without the project's permission.</summary>
    public bool ForbidArtifacts { get; set; }

    /// <summary>Tags listed per artifact at most: Harbor cuts long tag lists (goharbor/harbor#13099).</summary>
    public int MaxTagsPerArtifact { get; set; } = int.MaxValue;

    /// <summary>Bodies of POST /api/v2.0/projects.</summary>
    public ConcurrentQueue<JsonElement> CreatedBodies { get; } = new();

    public IReadOnlyCollection<string> Projects => [.. _projects.Keys];

    public static async Task<HarborApiStub> StartAsync(string? registryUrl = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var stub = new HarborApiStub(app, registryUrl);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        stub.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return stub;
    }

    /// <summary>Adds a project as if an administrator had created it.</summary>
    public void AddProject(string name) => _projects.TryAdd(name, Interlocked.Increment(ref _nextId));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _registry.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/v2"))
        {
            _registryRequests.Enqueue($"{request.Method} {request.Path}");
            await ForwardAsync(context);
            return;
        }

        _requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        if (ArtifactsOf(context) is { } repository)
        {
            await ListArtifactsAsync(context, repository);
            return;
        }

        if (!request.Path.Equals("/api/v2.0/projects", StringComparison.Ordinal))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "NOT_FOUND", "not found");
            return;
        }

        if (!Authorized(request))
        {
            await ErrorAsync(context, HttpStatusCode.Unauthorized, "UNAUTHORIZED", "UnAuthorized");
            return;
        }

        if (HttpMethods.IsHead(request.Method))
        {
            context.Response.StatusCode = RefuseHead ? 405 : _projects.ContainsKey(request.Query["project_name"].ToString()) ? 200 : 404;
            return;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            // Harbor's "name" query is a fuzzy match.
            var name = request.Query["name"].ToString();
            var matches = _projects.Where(p => p.Key.Contains(name, StringComparison.Ordinal))
                .Select(p => new { project_id = p.Value, name = p.Key, metadata = new { @public = "false" } })
                .ToList();
            context.Response.Headers["X-Total-Count"] = matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Response.WriteAsJsonAsync(matches);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            CreatedBodies.Enqueue(body.RootElement.Clone());
            var name = body.RootElement.GetProperty("project_name").GetString()!;
            if (ForbidCreation)
            {
                await ErrorAsync(context, HttpStatusCode.Forbidden, "FORBIDDEN", "Only system admin can create project");
                return;
            }

            BeforeCreate?.Invoke(name);
            var id = Interlocked.Increment(ref _nextId);
            if (!_projects.TryAdd(name, id))
            {
                await ErrorAsync(context, HttpStatusCode.Conflict, "CONFLICT", $"The project named {name} already exists");
                return;
            }

            context.Response.StatusCode = 201;
            context.Response.Headers.Location = $"/api/v2.0/projects/{id}";
            return;
        }

        await ErrorAsync(context, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed");
    }

    /// <summary>
    /// The repository of an artifact list request. Harbor's router decodes the path once, so the repository name must
    /// arrive encoded twice (a/b as a%252Fb): encoded once, its slash splits the path and nothing matches.
    /// </summary>
    private static string? ArtifactsOf(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        var path = Uri.UnescapeDataString(raw.Split('?')[0]);
        var segments = path.Split('/');
        return HttpMethods.IsGet(context.Request.Method) && segments is ["", "api", "v2.0", "projects", var project, "repositories", var name, "artifacts"]
            ? $"{project}/{Uri.UnescapeDataString(name)}"
            : null;
    }

    /// <summary>One page of a repository's artifacts with their tags, from a tag listing and a HEAD per tag of the registry.</summary>
    private async Task ListArtifactsAsync(HttpContext context, string repository)
    {
        if (!Authorized(context.Request))
        {
            await ErrorAsync(context, HttpStatusCode.Unauthorized, "UNAUTHORIZED", "UnAuthorized");
            return;
        }

        if (ForbidArtifacts)
        {
            await ErrorAsync(context, HttpStatusCode.Forbidden, "FORBIDDEN", "forbidden");
            return;
        }

        using var listed = await _registry.GetAsync($"{_registryUrl}/v2/{repository}/tags/list");
        if (!listed.IsSuccessStatusCode)
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "NOT_FOUND", $"repository {repository} not found");
            return;
        }

        using var tagList = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        var tags = tagList.RootElement.GetProperty("tags") is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(t => t.GetString()!).ToList() : [];
        var heads = new List<(string Tag, string Digest, string MediaType)>();
        foreach (var tag in tags)
        {
            using var head = new HttpRequestMessage(HttpMethod.Head, $"{_registryUrl}/v2/{repository}/manifests/{tag}");
            head.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json");
            using var response = await _registry.SendAsync(head);
            heads.Add((tag, response.Headers.GetValues("Docker-Content-Digest").Single(), response.Content.Headers.ContentType!.MediaType!));
        }

        var artifacts = heads.GroupBy(h => h.Digest).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var page = int.Parse(context.Request.Query["page"].ToString() is { Length: > 0 } p ? p : "1", System.Globalization.CultureInfo.InvariantCulture);
        var size = int.Parse(context.Request.Query["page_size"].ToString() is { Length: > 0 } n ? n : "10", System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["X-Total-Count"] = artifacts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsJsonAsync(artifacts.Skip((page - 1) * size).Take(size).Select(a => new
        {
            digest = a.Key,
            manifest_media_type = a.First().MediaType,
            media_type = "application/vnd.oci.image.config.v1+json",
            size = 123456,
            tags = a.Take(MaxTagsPerArtifact).Select(t => new { name = t.Tag, repository_id = 1 }),
        }));
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Basic ", StringComparison.Ordinal)
            && Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])) == $"{UserName}:{Password}";
    }

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        return context.Response.WriteAsJsonAsync(new { errors = new[] { new { code, message } } });
    }

    /// <summary>Streams a registry request to the real registry and back; the Host header is kept so Locations point here.</summary>
    private async Task ForwardAsync(HttpContext context)
    {
        var incoming = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), $"{_registryUrl}{incoming.Path}{incoming.QueryString}");
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0 || HttpMethods.IsPut(incoming.Method) || HttpMethods.IsPatch(incoming.Method))
        {
            outgoing.Content = new StreamContent(incoming.Body);
            if (incoming.ContentLength is { } length)
            {
                outgoing.Content.Headers.ContentLength = length;
            }
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (name is "Host" or "Transfer-Encoding" or "Connection" or "Authorization" or "Content-Length")
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        outgoing.Headers.Host = incoming.Host.Value;
        using var response = await _registry.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (header.Key is not ("Transfer-Encoding" or "Connection"))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (!HttpMethods.IsHead(incoming.Method))
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
