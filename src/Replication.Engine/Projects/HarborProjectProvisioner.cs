using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Replication.Registry;

namespace Replication.Engine.Projects;

/// <summary>
/// Creates missing projects on Harbor through its v2.0 API: <c>HEAD /api/v2.0/projects?project_name=</c> (falling back
/// to <c>GET /api/v2.0/projects?name=</c> where HEAD is refused) and <c>POST /api/v2.0/projects</c> as a private
/// project, authenticated with the endpoint's Basic credential. A 409 from a concurrent creation counts as existing.
/// </summary>
public sealed class HarborProjectProvisioner : IProjectProvisioner, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpMessageHandler? _sharedHandler;
    private readonly ConcurrentDictionary<(bool VerifyTls, string? Ca), HttpClient> _clients = new();

    /// <summary>Creates a provisioner with its own connections (honouring each endpoint's TLS settings).</summary>
    public HarborProjectProvisioner()
    {
    }

    /// <summary>Creates a provisioner sending every request through <paramref name="handler"/> (which then owns TLS).</summary>
    public HarborProjectProvisioner(HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _sharedHandler = handler;
    }

    /// <inheritdoc />
    public async Task<bool> EnsureProjectAsync(RegistryEndpoint endpoint, string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(project);
        var client = ClientFor(endpoint);
        try
        {
            if (await ExistsAsync(client, endpoint, project, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            using var create = Request(HttpMethod.Post, endpoint, "/api/v2.0/projects");
            create.Content = JsonContent.Create(new ProjectRequest(project, new Dictionary<string, string> { ["public"] = "false" }));
            using var response = await client.SendAsync(create, cancellationToken).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.Created or HttpStatusCode.OK => true,
                HttpStatusCode.Conflict => false,
                _ => throw await RefusalAsync(response, $"create the Harbor project '{project}'", cancellationToken).ConfigureAwait(false),
            };
        }
        catch (HttpRequestException ex)
        {
            throw new ReplicationException($"Could not reach Harbor at {endpoint.BaseUrl} to create the project '{project}': {ex.Message}", true, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReplicationException($"Harbor at {endpoint.BaseUrl} did not answer within {RequestTimeout.TotalSeconds:0} seconds.", true, ex);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    private static async Task<bool> ExistsAsync(HttpClient client, RegistryEndpoint endpoint, string project, CancellationToken cancellationToken)
    {
        using (var head = Request(HttpMethod.Head, endpoint, $"/api/v2.0/projects?project_name={Uri.EscapeDataString(project)}"))
        using (var response = await client.SendAsync(head, cancellationToken).ConfigureAwait(false))
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return true;
                case HttpStatusCode.NotFound:
                    return false;
                case HttpStatusCode.MethodNotAllowed:
                    break;
                default:
                    throw await RefusalAsync(response, $"check whether the Harbor project '{project}' exists", cancellationToken).ConfigureAwait(false);
            }
        }

        // Some proxies refuse HEAD: list by name and look for the exact one ("name" is a fuzzy match).
        using var get = Request(HttpMethod.Get, endpoint, $"/api/v2.0/projects?name={Uri.EscapeDataString(project)}&page_size=100&with_detail=false");
        using var listed = await client.SendAsync(get, cancellationToken).ConfigureAwait(false);
        if (!listed.IsSuccessStatusCode)
        {
            throw await RefusalAsync(listed, $"look up the Harbor project '{project}'", cancellationToken).ConfigureAwait(false);
        }

        var projects = await listed.Content.ReadFromJsonAsync<List<ProjectSummary>>(cancellationToken).ConfigureAwait(false) ?? [];
        return projects.Any(p => p.Name == project);
    }

    private static HttpRequestMessage Request(HttpMethod method, RegistryEndpoint endpoint, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUrl, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (endpoint.Credential is BasicCredential basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.Username}:{basic.Password}")));
        }

        return request;
    }

    private static async Task<ReplicationException> RefusalAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var detail = "";
        try
        {
            var body = await response.Content.ReadFromJsonAsync<HarborErrors>(cancellationToken).ConfigureAwait(false);
            detail = body?.Errors is { Count: > 0 } errors ? $": {errors[0].Code} {errors[0].Message}" : "";
        }
        catch (JsonException)
        {
            // Not Harbor's error body; the status says enough.
        }

        var status = (int)response.StatusCode;
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => " (check the registry's username and password)",
            HttpStatusCode.Forbidden => " (the account may not create projects; give it the system admin role or let everyone create projects)",
            HttpStatusCode.NotFound => " (is this endpoint really Harbor? choose the docker-registry type otherwise)",
            _ => "",
        };
        return new ReplicationException(
            $"Could not {what}: HTTP {status}{detail}{hint}.",
            status is 408 or 429 or >= 500);
    }

    private HttpClient ClientFor(RegistryEndpoint endpoint)
    {
        var key = _sharedHandler is null ? (endpoint.VerifyTls, endpoint.CaCertificatePem) : (true, null);
        return _clients.GetOrAdd(key, k =>
        {
            var client = _sharedHandler is not null
                ? new HttpClient(_sharedHandler, disposeHandler: false)
                : new HttpClient(CreateHandler(k.VerifyTls, k.Ca), disposeHandler: true);
            client.Timeout = RequestTimeout;
            return client;
        });
    }

    private static SocketsHttpHandler CreateHandler(bool verifyTls, string? caPem)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (!verifyTls)
        {
            // The administrator turned verification off for this endpoint (a lab registry).
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrWhiteSpace(caPem))
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(caPem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                return chain.Build(leaf);
            };
        }

        return handler;
    }

    private sealed record ProjectRequest(
        [property: JsonPropertyName("project_name")] string ProjectName,
        [property: JsonPropertyName("metadata")] Dictionary<string, string> Metadata);

    private sealed record ProjectSummary([property: JsonPropertyName("name")] string Name);

    private sealed record HarborErrors([property: JsonPropertyName("errors")] List<HarborError>? Errors);

    private sealed record HarborError(
        [property: JsonPropertyName("code")] string? Code,
        [property: JsonPropertyName("message")] string? Message);
}
