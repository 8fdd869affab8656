using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Admin.Tests.Host;
using Replication.Testing.Images;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// Shared steps of the job tests: registries and rules set up through the API as an administrator would (never through
/// the product's services or database), and waits with deadlines.
/// </summary>
internal static class JobsTestKit
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    public static string UniqueProject(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)];

    /// <summary>Registers a registry through the API; returns its id.</summary>
    public static async Task<int> RegisterAsync(HttpClient admin, string url, string? userName = null, string? password = null)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new
        {
            name = UniqueProject("reg-"),
            url,
            type = "docker-registry",
            username = userName,
            password,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>
    /// Creates a rule through the rules API, as an administrator would, so its triggers follow; returns its id.
    /// <paramref name="configure"/> fills in a plain <see cref="ReplicationRule"/> that this kit turns into the API's JSON.
    /// </summary>
    public static async Task<int> CreateRuleAsync(IServiceProvider services, Action<ReplicationRule> configure, int sourceId, int destinationId, string sourceProject)
    {
        using var admin = AdminClient(services);
        return await CreateRuleAsync(admin, configure, sourceId, destinationId, sourceProject);
    }

    /// <summary>Creates a rule through the rules API of the app <paramref name="admin"/> talks to; returns its id.</summary>
    public static async Task<int> CreateRuleAsync(HttpClient admin, Action<ReplicationRule> configure, int sourceId, int destinationId, string sourceProject)
    {
        var rule = new ReplicationRule
        {
            Name = UniqueProject("rule-"),
            SourceRegistryId = sourceId,
            SourceProject = sourceProject,
            DestinationRegistryId = destinationId,
            DestinationProject = "",
            TriggerMode = TriggerMode.Manual,
            Enabled = true,
        };
        configure(rule);
        using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleJson(rule));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"the rule was refused: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>Changes a saved rule through the rules API: reads it, applies <paramref name="change"/>, puts it back.</summary>
    public static async Task UpdateRuleAsync(IServiceProvider services, int ruleId, Action<ReplicationRule> change)
    {
        using var admin = AdminClient(services);
        var rule = RuleFrom(await admin.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{ruleId}"));
        change(rule);
        using var saved = await admin.PutAsJsonAsync($"/api/v1/rules/{ruleId}", RuleJson(rule));
        Assert.True(saved.IsSuccessStatusCode, $"the rule change was refused: {await saved.Content.ReadAsStringAsync()}");
    }

    public static async Task DeleteRuleAsync(IServiceProvider services, int ruleId)
    {
        using var admin = AdminClient(services);
        using var deleted = await admin.DeleteAsync($"/api/v1/rules/{ruleId}");
        Assert.True(deleted.IsSuccessStatusCode, $"the rule was not deleted: {deleted.StatusCode}");
    }

    public static async Task<List<Execution>> ExecutionsOfRuleAsync(IServiceProvider services, int ruleId)
    {
        await using var db = await Factory(services).CreateDbContextAsync();
        return await db.Executions.AsNoTracking().Include(e => e.Tasks).Where(e => e.RuleId == ruleId).OrderBy(e => e.Id).ToListAsync();
    }

    public static async Task<Execution?> ExecutionAsync(IServiceProvider services, long id)
    {
        await using var db = await Factory(services).CreateDbContextAsync();
        return await db.Executions.AsNoTracking().Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == id);
    }

    /// <summary>Polls the API until the execution has finished; returns its JSON.</summary>
    public static async Task<JsonElement> WaitFinishedAsync(HttpClient client, long id, TimeSpan? deadline = null)
    {
        JsonElement last = default;
        await WaitUntilAsync(
            async () =>
            {
                last = await client.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");
                return last.GetProperty("status").GetString() is "succeeded" or "failed" or "partiallyFailed" or "stopped";
            },
            deadline ?? RunDeadline,
            () => $"execution {id} did not finish: {last}");
        return last;
    }

    /// <summary>
    /// Whether <paramref name="tag"/> now points at <paramref name="expected"/> (null: the tag is gone), for polling while
    /// the app writes or deletes it. Distribution's filesystem driver answers 500 to a read racing a tag's rewrite or
    /// removal, which means "not yet".
    /// </summary>
    public static async Task<bool> TagSettledAsync(OciTestClient client, string repository, string tag, string? expected)
    {
        try
        {
            return await client.GetManifestDigestAsync(repository, tag) == expected;
        }
        catch (HttpRequestException exception) when (exception.Message.Contains("answered 500", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails with <paramref name="describe"/> at the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < deadline, $"Gave up after {deadline.TotalSeconds:0} s: {describe()}");
            await Task.Delay(100);
        }
    }

    private static IDbContextFactory<ReplicationDbContext> Factory(IServiceProvider services) =>
        services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();

    /// <summary>An administrator's API client for the app behind <paramref name="services"/> (in-memory or on a port).</summary>
    private static HttpClient AdminClient(IServiceProvider services)
    {
        var server = services.GetRequiredService<IServer>();
        var client = server is TestServer test
            ? test.CreateClient()
            : new HttpClient { BaseAddress = new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        client.DefaultRequestHeaders.Authorization = AdminAppFactory.BasicHeader(AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        return client;
    }

    /// <summary>The API's rule JSON (see the product's API reference), written here rather than by the product's own mapping.</summary>
    private static object RuleJson(ReplicationRule rule) => new
    {
        name = rule.Name,
        description = rule.Description,
        sourceRegistryId = rule.SourceRegistryId,
        sourceProject = rule.SourceProject,
        repositories = new { include = rule.IncludeRepositories, exclude = rule.ExcludeRepositories, names = rule.RepositoryNames },
        tags = new { include = rule.IncludeTags, exclude = rule.ExcludeTags, semver = rule.SemverRange, newest = rule.NewestTags },
        destinationRegistryId = rule.DestinationRegistryId,
        destinationProject = rule.DestinationProject,
        destinationNaming = new
        {
            flatten = rule.FlattenLevels switch { 0 => "none", int.MaxValue => "all", var levels => levels.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            prefix = rule.DestinationPrefix,
        },
        trigger = new
        {
            mode = rule.TriggerMode.ToString().ToLowerInvariant(),
            cron = rule.Cron,
            replicateDeletions = rule.ReplicateDeletions,
            replicateExisting = rule.ReplicateExisting,
        },
        platforms = rule.Platforms,
        bandwidthLimitKiBps = rule.BandwidthLimitKiBps,
        @override = rule.Override,
        includeReferrers = rule.IncludeReferrers,
        enabled = rule.Enabled,
    };

    /// <summary>A rule as the API answered it, back into the plain settings <see cref="RuleJson"/> writes.</summary>
    private static ReplicationRule RuleFrom(JsonElement json)
    {
        static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
        static JsonElement? Optional(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
        var repositories = json.GetProperty("repositories");
        var tags = json.GetProperty("tags");
        var trigger = json.GetProperty("trigger");
        var flatten = json.GetProperty("destinationNaming").GetProperty("flatten");
        return new ReplicationRule
        {
            Name = json.GetProperty("name").GetString()!,
            Description = json.GetProperty("description").GetString()!,
            SourceRegistryId = json.GetProperty("sourceRegistryId").GetInt32(),
            SourceProject = json.GetProperty("sourceProject").GetString()!,
            IncludeRepositories = Strings(repositories.GetProperty("include")),
            ExcludeRepositories = Strings(repositories.GetProperty("exclude")),
            RepositoryNames = Strings(repositories.GetProperty("names")),
            IncludeTags = Strings(tags.GetProperty("include")),
            ExcludeTags = Strings(tags.GetProperty("exclude")),
            SemverRange = Optional(tags, "semver")?.GetString(),
            NewestTags = Optional(tags, "newest")?.GetInt32(),
            DestinationRegistryId = json.GetProperty("destinationRegistryId").GetInt32(),
            DestinationProject = json.GetProperty("destinationProject").GetString()!,
            FlattenLevels = flatten.ValueKind == JsonValueKind.Number ? flatten.GetInt32() : flatten.GetString() == "all" ? int.MaxValue : 0,
            DestinationPrefix = json.GetProperty("destinationNaming").GetProperty("prefix").GetString()!,
            TriggerMode = Enum.Parse<TriggerMode>(trigger.GetProperty("mode").GetString()!, ignoreCase: true),
            Cron = Optional(trigger, "cron")?.GetString(),
            ReplicateDeletions = trigger.GetProperty("replicateDeletions").GetBoolean(),
            ReplicateExisting = trigger.GetProperty("replicateExisting").GetBoolean(),
            Platforms = Strings(json.GetProperty("platforms")),
            BandwidthLimitKiBps = Optional(json, "bandwidthLimitKiBps")?.GetInt32(),
            Override = json.GetProperty("override").GetBoolean(),
            IncludeReferrers = json.GetProperty("includeReferrers").GetBoolean(),
            Enabled = json.GetProperty("enabled").GetBoolean(),
        };
    }
}
