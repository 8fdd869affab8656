using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Rules;
using Replication.Admin.Security;

namespace Replication.Admin.Tests.Host;

/// <summary>
/// <c>/api/v1/config</c>: export without secrets, import keyed by names (twice = unchanged), dry runs and refused
/// imports change nothing, bad YAML says where, and only administrators import. Each test works in its own names.
/// </summary>
public sealed class ConfigApiTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>, IAsyncLifetime
{
    private const string ViewerName = "config-viewer";
    private const string ViewerPassword = "Viewer-Passw0rd";
    private const string RegistrySecret = "Registry-Secret-Never-Exported-1";

    private static readonly string[] AppPatterns = ["app*"];
    private static readonly string[] VersionPatterns = ["v*"];
    private static readonly string[] ReleaseCandidates = ["*-rc"];

    public async Task InitializeAsync()
    {
        if ((await app.Services.GetRequiredService<UserAccountService>().ListAsync()).All(u => u.UserName != ViewerName))
        {
            await app.CreateUserAsync(ViewerName, ViewerPassword, Roles.Viewer);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Export_then_import_changes_nothing_and_a_changed_file_is_applied_once()
    {
        using var client = app.CreateBasicClient();
        var source = await CreateRegistryAsync(client, "rt-src", "https://rt-source.example.com", RegistrySecret);
        var destination = await CreateRegistryAsync(client, "rt-dst", "https://rt-destination.example.com", null);
        await CreateRuleAsync(client, "rt-nightly", source, destination, "scheduled", "0 2 * * *");

        var yaml = await ExportAsync(client);
        Assert.DoesNotContain(RegistrySecret, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("password:", yaml, StringComparison.Ordinal);
        Assert.Contains("name: rt-nightly", yaml, StringComparison.Ordinal);
        Assert.Contains("sourceRegistry: rt-src", yaml, StringComparison.Ordinal);

        var again = await ImportAsync(client, yaml, dryRun: false);
        Assert.Empty(Names(again, "create"));
        Assert.Empty(Names(again, "change"));
        Assert.Contains("rt-nightly", Names(again, "unchanged"));
        Assert.Contains("rt-src", Names(again, "unchanged"));

        var edited = yaml.Replace("name: rt-nightly", "name: rt-nightly\n  description: edited in git", StringComparison.Ordinal)
            + "- name: rt-added\n  sourceRegistry: rt-src\n  sourceProject: team\n  destinationRegistry: rt-dst\n  tags:\n    include: [v*]\n";
        var before = await RuleNamesAsync();
        var plan = await ImportAsync(client, edited, dryRun: true);
        Assert.Equal(["rt-added"], Names(plan, "create"));
        Assert.Equal(["rt-nightly"], Names(plan, "change"));
        Assert.Contains("description", plan.GetProperty("change")[0].GetProperty("changes")[0].GetString(), StringComparison.Ordinal);
        Assert.False(plan.GetProperty("applied").GetBoolean());
        Assert.Equal(before, await RuleNamesAsync());

        var applied = await ImportAsync(client, edited, dryRun: false);
        Assert.True(applied.GetProperty("applied").GetBoolean());
        Assert.Contains("rt-added", await RuleNamesAsync());
        var rules = await app.Services.CreateScope().ServiceProvider.GetRequiredService<ReplicationRuleService>().ListAsync();
        Assert.Equal("edited in git", rules.Single(r => r.Name == "rt-nightly").Description);
        Assert.Equal(["v*"], rules.Single(r => r.Name == "rt-added").IncludeTags);

        var twice = await ImportAsync(client, edited, dryRun: false);
        Assert.Empty(Names(twice, "create"));
        Assert.Empty(Names(twice, "change"));

        // The secret survived the imports untouched.
        using var ping = await client.GetAsync($"/api/v1/registries/{source}");
        Assert.True((await ping.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString() == "robot");
    }

    [Fact]
    public async Task Bad_yaml_gets_its_line_and_column_and_changes_nothing()
    {
        using var client = app.CreateBasicClient();
        var before = await RuleNamesAsync();
        const string Broken = "version: 1\nrules:\n- name: broken-yaml\n  sourceProject: [team\n  destinationRegistry: x\n";

        using var response = await PostAsync(client, Broken, "dryRun=false");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("line").GetInt32() >= 4);
        Assert.True(problem.GetProperty("column").GetInt32() >= 1);
        Assert.StartsWith("Line ", problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await RuleNamesAsync());
    }

    [Fact]
    public async Task An_unknown_key_is_named_with_its_line()
    {
        using var client = app.CreateBasicClient();
        using var response = await PostAsync(client, "version: 1\nregistries:\n- name: typo\n  url: https://typo.example.com\n  verfyTls: false\n", "dryRun=true");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, problem.GetProperty("line").GetInt32());
        Assert.Contains("'verfyTls' is not a known key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_invalid_entry_refuses_the_whole_file_with_field_errors()
    {
        using var client = app.CreateBasicClient();
        var before = await RuleNamesAsync();
        var registriesBefore = await RegistryNamesAsync();
        const string File = """
            version: 1
            registries:
            - name: all-or-nothing-src
              url: https://aon-source.example.com
            - name: all-or-nothing-dst
              url: https://aon-destination.example.com
            rules:
            - name: aon-good
              sourceRegistry: all-or-nothing-src
              sourceProject: team
              destinationRegistry: all-or-nothing-dst
            - name: aon-bad
              sourceRegistry: all-or-nothing-src
              sourceProject: team
              destinationRegistry: nowhere
              trigger: {mode: scheduled, cron: "every night"}
            """;

        using var response = await PostAsync(client, File, "dryRun=false");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("rules[aon-bad].trigger.cron", out _));
        Assert.Contains("nowhere", errors.GetProperty("rules[aon-bad].destinationRegistry")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("rules[aon-good].name", out _));
        Assert.Equal(before, await RuleNamesAsync());
        Assert.Equal(registriesBefore, await RegistryNamesAsync());
    }

    [Fact]
    public async Task A_new_registry_with_a_username_needs_its_password_from_the_environment_or_is_refused()
    {
        using var client = app.CreateBasicClient();
        const string File = "version: 1\nregistries:\n- name: env-secret\n  url: https://env-secret.example.com\n  username: robot\n  passwordFromEnv: RA_TEST_ENV_SECRET_PASSWORD\n";

        using var refused = await PostAsync(client, File, "dryRun=true");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("RA_TEST_ENV_SECRET_PASSWORD", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Environment.SetEnvironmentVariable("RA_TEST_ENV_SECRET_PASSWORD", "From-The-Environment-1");
        try
        {
            var created = await ImportAsync(client, File, dryRun: false);
            Assert.Equal(["env-secret"], Names(created, "create"));
            var unchanged = await ImportAsync(client, File, dryRun: true);
            Assert.Equal(["env-secret"], Names(unchanged, "unchanged"));
            Assert.DoesNotContain("From-The-Environment-1", await ExportAsync(client), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RA_TEST_ENV_SECRET_PASSWORD", null);
        }
    }

    [Fact]
    public async Task A_viewer_exports_but_cannot_import_and_anonymous_callers_get_401()
    {
        using var viewer = app.CreateBasicClient(ViewerName, ViewerPassword);
        Assert.Contains("version: 1", await ExportAsync(viewer), StringComparison.Ordinal);
        using var forbidden = await PostAsync(viewer, "version: 1\n", "dryRun=true");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var anonymous = app.CreateAnonymousClient();
        using var export = await anonymous.GetAsync("/api/v1/config");
        Assert.Equal(HttpStatusCode.Unauthorized, export.StatusCode);
        using var import = await PostAsync(anonymous, "version: 1\n", "dryRun=true");
        Assert.Equal(HttpStatusCode.Unauthorized, import.StatusCode);
    }

    [Fact]
    public async Task An_applied_import_is_audited()
    {
        using var client = app.CreateBasicClient();
        await ImportAsync(client, "version: 1\nregistries:\n- name: audited-import\n  url: https://audited.example.com\n", dryRun: false);

        var entries = await app.Services.GetRequiredService<AuditLog>().RecentAsync(50);
        Assert.Contains(entries, e => e.Action == "config.import" && e.Who == AdminAppFactory.AdminUserName);
        Assert.Contains(entries, e => e.Action == AuditActions.RegistryCreate && e.Target.Contains("audited-import", StringComparison.Ordinal));
    }

    internal static async Task<JsonElement> ImportAsync(HttpClient client, string yaml, bool dryRun, string query = "")
    {
        using var response = await PostAsync(client, yaml, $"dryRun={(dryRun ? "true" : "false")}{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    internal static Task<HttpResponseMessage> PostAsync(HttpClient client, string yaml, string query) =>
        client.PostAsync($"/api/v1/config?{query}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    internal static List<string> Names(JsonElement result, string list) =>
        result.GetProperty(list).EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToList();

    private static async Task<string> ExportAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<List<string>> RuleNamesAsync() =>
        (await app.Services.CreateScope().ServiceProvider.GetRequiredService<ReplicationRuleService>().ListAsync()).Select(r => r.Name).ToList();

    private async Task<List<string>> RegistryNamesAsync() =>
        (await app.Services.CreateScope().ServiceProvider.GetRequiredService<Replication.Admin.Registries.RegistryService>().ListAsync()).Select(r => r.Name).ToList();

    private static async Task<int> CreateRegistryAsync(HttpClient client, string name, string url, string? password)
    {
        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name, url, type = "docker-registry", username = password is null ? null : "robot", password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static async Task CreateRuleAsync(HttpClient client, string name, int source, int destination, string mode, string? cron)
    {
        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name,
            sourceRegistryId = source,
            sourceProject = "team",
            repositories = new { include = AppPatterns, exclude = Array.Empty<string>() },
            tags = new { include = VersionPatterns, exclude = ReleaseCandidates },
            destinationRegistryId = destination,
            destinationProject = "mirror",
            trigger = new { mode, cron },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
