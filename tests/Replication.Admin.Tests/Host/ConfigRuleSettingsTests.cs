using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Replication.Admin.Tests.Host;

/// <summary>
/// Rules as code carries every rule setting: destination naming, version range and newest N, mirror mode for a manual
/// rule, bandwidth limit and platforms survive export and import unchanged; a file that differs in one of them shows
/// that change in the dry run and applies it; a bad value is refused with the API's message and changes nothing.
/// Rules are set up and read back through the rules API.
/// </summary>
public sealed class ConfigRuleSettingsTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    private static readonly string[] AppPatterns = ["app*"];
    private static readonly string[] VersionPatterns = ["v*"];
    private static readonly string[] TwoPlatforms = ["linux/amd64", "linux/arm64"];

    [Fact]
    public async Task Every_rule_setting_survives_export_and_import()
    {
        using var client = app.CreateBasicClient();
        var (_, _, rule) = await CreateRuleWithEverySettingAsync(client, "every-setting");
        var saved = await GetRuleAsync(client, rule);

        var yaml = await ExportAsync(client);
        var entry = RuleEntry(yaml, "every-setting");
        Assert.Contains("semver: '>=1.2 <2'", entry, StringComparison.Ordinal);
        Assert.Contains("newest: 3", entry, StringComparison.Ordinal);
        Assert.Contains("prefix: hub", entry, StringComparison.Ordinal);
        Assert.Contains("- linux/arm64", entry, StringComparison.Ordinal);
        Assert.Contains("bandwidthLimitKiBps: 2048", entry, StringComparison.Ordinal);
        Assert.Contains("replicateDeletions: true", entry, StringComparison.Ordinal);

        var again = await ConfigApiTests.ImportAsync(client, yaml, dryRun: false);
        Assert.Empty(ConfigApiTests.Names(again, "change"));
        Assert.Empty(ConfigApiTests.Names(again, "create"));
        Assert.Contains("every-setting", ConfigApiTests.Names(again, "unchanged"));
        Assert.Equal(Settings(saved), Settings(await GetRuleAsync(client, rule)));
    }

    [Theory]
    [InlineData("differs-flatten", "flatten: 2", "flatten: all", "destinationNaming.flatten: '2' -> 'all'")]
    [InlineData("differs-prefix", "prefix: hub", "prefix: mirror", "destinationNaming.prefix: 'hub' -> 'mirror'")]
    [InlineData("differs-semver", "semver: '>=1.2 <2'", "semver: '>=2'", "tags.semver: '>=1.2 <2' -> '>=2'")]
    [InlineData("differs-newest", "newest: 3", "newest: 5", "tags.newest: '3' -> '5'")]
    [InlineData("differs-platforms", "- linux/arm64", "- linux/arm/v7", "platforms: 'linux/amd64, linux/arm64' -> 'linux/amd64, linux/arm/v7'")]
    [InlineData("differs-bandwidth", "bandwidthLimitKiBps: 2048", "bandwidthLimitKiBps: 10240", "bandwidthLimitKiBps: '2048' -> '10240'")]
    [InlineData("differs-mirror", "replicateDeletions: true", "replicateDeletions: false", "trigger.replicateDeletions: 'true' -> 'false'")]
    public async Task A_changed_setting_shows_in_the_dry_run_and_is_applied(string name, string exported, string edited, string change)
    {
        using var client = app.CreateBasicClient();
        var (_, _, rule) = await CreateRuleWithEverySettingAsync(client, name);
        var yaml = OnlyRule(await ExportAsync(client), name);
        Assert.Contains(exported, yaml, StringComparison.Ordinal);
        var file = yaml.Replace(exported, edited, StringComparison.Ordinal);
        var before = Settings(await GetRuleAsync(client, rule));

        var plan = await ConfigApiTests.ImportAsync(client, file, dryRun: true);
        Assert.Equal([name], ConfigApiTests.Names(plan, "change"));
        Assert.Equal([change], plan.GetProperty("change")[0].GetProperty("changes").EnumerateArray().Select(c => c.GetString()).ToList());
        Assert.Equal(before, Settings(await GetRuleAsync(client, rule)));

        await ConfigApiTests.ImportAsync(client, file, dryRun: false);
        var after = Settings(await GetRuleAsync(client, rule));
        Assert.NotEqual(before, after);
        var twice = await ConfigApiTests.ImportAsync(client, file, dryRun: true);
        Assert.Equal([name], ConfigApiTests.Names(twice, "unchanged"));
    }

    [Fact]
    public async Task Settings_missing_from_the_file_mean_their_defaults()
    {
        using var client = app.CreateBasicClient();
        var (_, _, rule) = await CreateRuleWithEverySettingAsync(client, "defaults-when-missing");
        const string File = """
            version: 1
            rules:
            - name: defaults-when-missing
              sourceRegistry: settings-src
              sourceProject: team
              destinationRegistry: settings-dst
              trigger: {mode: manual}
            """;

        var plan = await ConfigApiTests.ImportAsync(client, File, dryRun: false);

        var changes = plan.GetProperty("change")[0].GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains("platforms: 'linux/amd64, linux/arm64' -> ''", changes);
        var saved = await GetRuleAsync(client, rule);
        Assert.Equal("""{"flatten":"none","prefix":""}""", saved.GetProperty("destinationNaming").GetRawText());
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("tags").GetProperty("semver").ValueKind);
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("tags").GetProperty("newest").ValueKind);
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("bandwidthLimitKiBps").ValueKind);
        Assert.Equal(0, saved.GetProperty("platforms").GetArrayLength());
        Assert.False(saved.GetProperty("trigger").GetProperty("replicateDeletions").GetBoolean());
    }

    [Fact]
    public async Task Bad_values_are_refused_with_the_apis_messages_and_change_nothing()
    {
        using var client = app.CreateBasicClient();
        var (_, _, rule) = await CreateRuleWithEverySettingAsync(client, "bad-values");
        var before = Settings(await GetRuleAsync(client, rule));
        const string File = """
            version: 1
            rules:
            - name: bad-values
              sourceRegistry: settings-src
              sourceProject: team
              destinationRegistry: settings-dst
              destinationNaming: {flatten: 5, prefix: Hub*}
              tags: {semver: '>=one', newest: 0}
              platforms: [linux]
              bandwidthLimitKiBps: 0
            """;

        using var response = await ConfigApiTests.PostAsync(client, File, "dryRun=false");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "destinationNaming.flatten", "destinationNaming.prefix", "tags.semver", "tags.newest", "platforms", "bandwidthLimitKiBps" })
        {
            Assert.True(errors.TryGetProperty($"rules[bad-values].{field}", out var messages), $"no error for {field}: {errors}");
            Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        }

        Assert.Contains("'5'", errors.GetProperty("rules[bad-values].destinationNaming.flatten")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, Settings(await GetRuleAsync(client, rule)));
    }

    [Theory]
    [InlineData("  tags: {newest: many}\n", 7, "'many' is not a whole number for 'newest'")]
    [InlineData("  bandwidthLimitKiBps: fast\n", 7, "'fast' is not a whole number for 'bandwidthLimitKiBps'")]
    [InlineData("  platforms: linux/amd64\n", 7, "A list was expected here for 'platforms'")]
    [InlineData("  destinationNaming: all\n", 7, "A mapping was expected here for 'destinationNaming'")]
    public async Task A_value_of_the_wrong_kind_gets_its_line_and_column(string line, int lineNumber, string named)
    {
        using var client = app.CreateBasicClient();
        var file = "version: 1\nrules:\n- name: wrong-kind\n  sourceRegistry: settings-src\n  sourceProject: team\n  destinationRegistry: settings-dst\n" + line;

        using var response = await ConfigApiTests.PostAsync(client, file, "dryRun=false");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(lineNumber, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("column").GetInt32() > 1);
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var rules = await client.GetAsync("/api/v1/rules");
        Assert.DoesNotContain("wrong-kind", await rules.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_lists_are_empty_not_an_error()
    {
        using var client = app.CreateBasicClient();

        var plan = await ConfigApiTests.ImportAsync(client, "version: 1\nregistries:\nrules:\n", dryRun: true);

        Assert.Empty(ConfigApiTests.Names(plan, "create"));
        Assert.Empty(ConfigApiTests.Names(plan, "change"));
    }

    private static async Task<(int Source, int Destination, int Rule)> CreateRuleWithEverySettingAsync(HttpClient client, string name)
    {
        var source = await RegistryAsync(client, "settings-src", "https://settings-source.example.com");
        var destination = await RegistryAsync(client, "settings-dst", "https://settings-destination.example.com");
        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name,
            sourceRegistryId = source,
            sourceProject = "team",
            repositories = new { include = AppPatterns },
            tags = new { include = VersionPatterns, semver = ">=1.2 <2", newest = 3 },
            destinationRegistryId = destination,
            destinationNaming = new { flatten = 2, prefix = "hub" },
            platforms = TwoPlatforms,
            bandwidthLimitKiBps = 2048,
            trigger = new { mode = "manual", replicateDeletions = true },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (source, destination, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
    }

    private static async Task<int> RegistryAsync(HttpClient client, string name, string url)
    {
        using var list = await client.GetAsync("/api/v1/registries");
        foreach (var registry in (await list.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray())
        {
            if (registry.GetProperty("name").GetString() == name)
            {
                return registry.GetProperty("id").GetInt32();
            }
        }

        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name, url, type = "docker-registry" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static async Task<JsonElement> GetRuleAsync(HttpClient client, int id)
    {
        using var response = await client.GetAsync($"/api/v1/rules/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The rule as the API shows it, without the bookkeeping that every save changes.</summary>
    private static string Settings(JsonElement rule) =>
        string.Join("\n", rule.EnumerateObject().Where(p => p.Name is not ("updatedAt" or "updatedBy" or "lastExecution" or "nextRun")).Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private static async Task<string> ExportAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The exported rule's own lines (from its "- name:" to the next entry).</summary>
    private static string RuleEntry(string yaml, string name)
    {
        var start = yaml.IndexOf($"- name: {name}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, yaml);
        var end = yaml.IndexOf("\n- ", start + 1, StringComparison.Ordinal);
        return end < 0 ? yaml[start..] : yaml[start..(end + 1)];
    }

    /// <summary>A file with just this rule (its registries are registered), so other tests' rules stay out of the plan.</summary>
    private static string OnlyRule(string yaml, string name) => "version: 1\nrules:\n" + RuleEntry(yaml, name);
}
