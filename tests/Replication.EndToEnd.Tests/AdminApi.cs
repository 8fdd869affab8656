using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>Sets up what a test watches through the app's own API, as automation would.</summary>
internal sealed class AdminApi : IDisposable
{
    private readonly HttpClient _api;

    public AdminApi(Uri appUrl)
    {
        _api = new HttpClient { BaseAddress = appUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));
    }

    /// <summary>Two registries and a manual rule replicating <paramref name="project"/> from one to the other; returns the rule's id.</summary>
    public async Task<int> CreateRuleAsync(string ruleName, string sourceUrl, string destinationUrl, string project)
    {
        var sourceId = await PostForIdAsync("/api/v1/registries", new { name = $"{ruleName}-source", url = sourceUrl, type = "docker-registry" });
        var destinationId = await PostForIdAsync("/api/v1/registries", new { name = $"{ruleName}-destination", url = destinationUrl, type = "docker-registry" });
        return await PostForIdAsync("/api/v1/rules", new
        {
            name = ruleName,
            description = $"Everything in {project}",
            sourceRegistryId = sourceId,
            sourceProject = project,
            repositories = new { include = Array.Empty<string>(), exclude = Array.Empty<string>() },
            tags = new { include = Array.Empty<string>(), exclude = Array.Empty<string>() },
            destinationRegistryId = destinationId,
            destinationProject = "",
            trigger = new { mode = "manual" },
            @override = true,
            includeReferrers = true,
            enabled = true,
        });
    }

    /// <summary>Replicate: starts a run of the rule; returns the execution's id.</summary>
    public async Task<long> ReplicateAsync(int ruleId)
    {
        using var response = await _api.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Replicate rule {ruleId}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    public async Task<JsonElement> ExecutionAsync(long id) => await _api.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");

    public void Dispose() => _api.Dispose();

    private async Task<int> PostForIdAsync(string path, object body)
    {
        using var response = await _api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }
}
