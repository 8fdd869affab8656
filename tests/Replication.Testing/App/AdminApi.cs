using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Replication.Testing.App;

/// <summary>Sets up what a test or benchmark watches through the app's own API, as automation would.</summary>
public sealed class AdminApi : IDisposable
{
    private readonly HttpClient _api;

    /// <summary>A client of the app at <paramref name="appUrl"/>, signed in as its first administrator.</summary>
    public AdminApi(Uri appUrl)
    {
        _api = SignedInClient(appUrl);
    }

    /// <summary>An HTTP client of the app, signed in as its first administrator (Basic), for calls this class does not wrap.</summary>
    public static HttpClient SignedInClient(Uri appUrl, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = appUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));
        return client;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON; the created resource's <c>id</c>, or an exception with the app's answer.</summary>
    public static async Task<int> PostForIdAsync(HttpClient api, string path, object body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var response = await api.PostAsJsonAsync(path, body, cancellationToken);
        var text = await Succeeded(response, $"POST {path}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>Two registries and a manual rule replicating <paramref name="project"/> from one to the other; returns the rule's id.</summary>
    public async Task<int> CreateRuleAsync(string ruleName, string sourceUrl, string destinationUrl, string project)
    {
        var sourceId = await CreateRegistryAsync($"{ruleName}-source", sourceUrl);
        var destinationId = await CreateRegistryAsync($"{ruleName}-destination", destinationUrl);
        return await CreateRuleAsync(ruleName, sourceId, destinationId, project, []);
    }

    /// <summary>An anonymous docker-registry; returns its id.</summary>
    public Task<int> CreateRegistryAsync(string name, string url) =>
        PostForIdAsync("/api/v1/registries", new { name, url, type = "docker-registry" });

    /// <summary>
    /// A manual rule replicating <paramref name="repositories"/> (patterns inside <paramref name="project"/>; none: all of
    /// it) under the same names; returns its id.
    /// </summary>
    public Task<int> CreateRuleAsync(string ruleName, int sourceRegistryId, int destinationRegistryId, string project, IReadOnlyList<string> repositories) =>
        PostForIdAsync("/api/v1/rules", new
        {
            name = ruleName,
            description = repositories.Count == 0 ? $"Everything in {project}" : $"{repositories.Count} repositories of {project}",
            sourceRegistryId,
            sourceProject = project,
            repositories = new { include = repositories, exclude = Array.Empty<string>() },
            tags = new { include = Array.Empty<string>(), exclude = Array.Empty<string>() },
            destinationRegistryId,
            destinationProject = "",
            trigger = new { mode = "manual" },
            @override = true,
            includeReferrers = true,
            enabled = true,
        });

    /// <summary>Replicate: starts a run of the rule; returns the execution's id.</summary>
    public async Task<long> ReplicateAsync(int ruleId)
    {
        using var response = await _api.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var text = await Succeeded(response, $"Replicate rule {ruleId}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>The execution as <c>GET /api/v1/executions/{id}</c> answers it.</summary>
    public async Task<JsonElement> ExecutionAsync(long id) => await _api.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");

    /// <summary>The app's Prometheus text (<c>/metrics</c>).</summary>
    public Task<string> MetricsAsync() => _api.GetStringAsync("/metrics");

    /// <inheritdoc/>
    public void Dispose() => _api.Dispose();

    private Task<int> PostForIdAsync(string path, object body) => PostForIdAsync(_api, path, body);

    private static async Task<string> Succeeded(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? text
            : throw new HttpRequestException($"{what}: {(int)response.StatusCode} {text}", null, response.StatusCode);
    }
}
