using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Replication.Admin.Tests.Host;

/// <summary>
/// A registry's kind in the API and in rules as code: generic unless given (old clients keep working), a kind's URL
/// when none is given, a website or another service's address refused with the fix, and kept through export and import.
/// </summary>
public sealed class RegistryKindApiTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    private static readonly string[] AppName = ["app"];

    [Fact]
    public async Task A_registry_without_a_kind_is_generic_and_an_update_without_one_keeps_it()
    {
        using var client = app.CreateBasicClient();
        var generic = await CreateAsync(client, new { name = Name("old-client"), url = "https://old-client.example.com", type = "docker-registry" });
        Assert.Equal("generic", generic.GetProperty("kind").GetString());

        var quay = await CreateAsync(client, new { name = Name("quay"), url = "https://quay.example.com", type = "docker-registry", kind = "quay" });
        var id = quay.GetProperty("id").GetInt32();
        using var updated = await client.PutAsJsonAsync($"/api/v1/registries/{id}", new { name = quay.GetProperty("name").GetString(), url = "https://quay2.example.com", type = "docker-registry" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var saved = await GetAsync(client, id);
        Assert.Equal("quay", saved.GetProperty("kind").GetString());
        Assert.Equal("https://quay2.example.com", saved.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("docker-hub", "https://registry-1.docker.io")]
    [InlineData("ghcr", "https://ghcr.io")]
    [InlineData("quay", "https://quay.io")]
    [InlineData("gitlab", "https://registry.gitlab.com")]
    public async Task A_kind_brings_its_url_when_none_is_given(string kind, string url)
    {
        using var client = app.CreateBasicClient();

        var created = await CreateAsync(client, new { name = Name(kind), type = "docker-registry", kind });

        Assert.Equal(url, created.GetProperty("url").GetString());
        Assert.Equal(kind, created.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("docker-hub", "https://hub.docker.com", "docker-registry", "url", "Enter https://registry-1.docker.io instead")]
    [InlineData("generic", "https://github.com", "docker-registry", "url", "Enter https://ghcr.io instead")]
    [InlineData("ghcr", "https://quay.io", "docker-registry", "url", "quay.io is Quay, not GitHub Container Registry")]
    [InlineData("ghcr", "https://ghcr.io", "harbor", "type", "Choose type 'docker-registry', or kind Harbor")]
    [InlineData("artifactory", "https://artifacts.example.com", "docker-registry", "kind", "Use one of: generic, docker-hub, ghcr, quay, gitlab, harbor")]
    [InlineData("harbor", null, "harbor", "url", "URL is required")]
    public async Task A_kind_that_does_not_fit_is_refused_with_the_fix_and_nothing_is_saved(string kind, string? url, string type, string field, string message)
    {
        using var client = app.CreateBasicClient();
        var name = Name("misfit");

        using var response = await client.PostAsJsonAsync("/api/v1/registries", new { name, url, type, kind });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains(message, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        using var list = await client.GetAsync("/api/v1/registries");
        Assert.DoesNotContain(name, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rule_from_a_registry_that_never_lists_its_repositories_must_name_them()
    {
        using var client = app.CreateBasicClient();
        var hub = (await CreateAsync(client, new { name = Name("hub"), type = "docker-registry", kind = "docker-hub" })).GetProperty("id").GetInt32();
        var mirror = (await CreateAsync(client, new { name = Name("mirror"), url = "https://mirror.example.com", type = "docker-registry" })).GetProperty("id").GetInt32();

        using var refused = await client.PostAsJsonAsync("/api/v1/rules", new { name = Name("unnamed"), sourceRegistryId = hub, sourceProject = "library", destinationRegistryId = mirror, trigger = new { mode = "manual" } });
        using var accepted = await client.PostAsJsonAsync("/api/v1/rules", new { name = Name("named"), sourceRegistryId = hub, sourceProject = "library", repositories = new { names = AppName }, destinationRegistryId = mirror, trigger = new { mode = "manual" } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("repositories.names")[0].GetString();
        Assert.Contains("Docker Hub", message, StringComparison.Ordinal);
        Assert.Contains("Repository names", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Theory]
    [InlineData("docker-hub")]
    [InlineData("quay")]
    public async Task An_immediate_rule_needs_a_source_that_sends_events(string kind)
    {
        using var client = app.CreateBasicClient();
        var source = (await CreateAsync(client, new { name = Name(kind), type = "docker-registry", kind })).GetProperty("id").GetInt32();
        var mirror = (await CreateAsync(client, new { name = Name("mirror"), url = "https://mirror.example.com", type = "docker-registry" })).GetProperty("id").GetInt32();

        using var refused = await client.PostAsJsonAsync("/api/v1/rules", new { name = Name("immediate"), sourceRegistryId = source, sourceProject = "library", repositories = new { names = AppName }, destinationRegistryId = mirror, trigger = new { mode = "immediate" } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("trigger.mode")[0].GetString();
        Assert.Contains("does not send the push and delete events", message, StringComparison.Ordinal);
        Assert.Contains("Choose Scheduled", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kind_survives_export_and_import_and_a_changed_kind_shows_in_the_dry_run()
    {
        using var client = app.CreateBasicClient();
        var name = Name("yaml-kind");
        var created = await CreateAsync(client, new { name, url = "https://harbor-kind.example.com", type = "harbor", kind = "harbor" });

        using var export = await client.GetAsync("/api/v1/config");
        var yaml = await export.Content.ReadAsStringAsync();
        var entry = yaml[yaml.IndexOf($"- name: {name}\n", StringComparison.Ordinal)..];
        entry = "version: 1\nregistries:\n" + entry[..(entry.IndexOf("\n- ", StringComparison.Ordinal) is var end and > 0 ? end + 1 : entry.Length)];
        Assert.Contains("  kind: harbor\n", entry, StringComparison.Ordinal);

        var same = await ConfigApiTests.ImportAsync(client, entry, dryRun: true);
        Assert.Equal([name], ConfigApiTests.Names(same, "unchanged"));

        var generic = entry.Replace("  kind: harbor\n", "  kind: generic\n", StringComparison.Ordinal);
        var plan = await ConfigApiTests.ImportAsync(client, generic, dryRun: true);
        Assert.Equal(["kind: 'harbor' -> 'generic'"], plan.GetProperty("change")[0].GetProperty("changes").EnumerateArray().Select(c => c.GetString()));

        var wrong = entry.Replace("  kind: harbor\n", "  kind: nexus\n", StringComparison.Ordinal);
        using var refused = await ConfigApiTests.PostAsync(client, wrong, "dryRun=false");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Kind 'nexus' is not known", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("harbor", (await GetAsync(client, created.GetProperty("id").GetInt32())).GetProperty("kind").GetString());
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, object registry)
    {
        using var created = await client.PostAsJsonAsync("/api/v1/registries", registry);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return await created.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, int id)
    {
        using var response = await client.GetAsync($"/api/v1/registries/{id}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
