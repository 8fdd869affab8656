using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Rules;
using Replication.Admin.Security;
using Replication.Registry;

namespace Replication.Admin.Tests.Host;

/// <summary><c>/api/v1/rules</c>: the PRODUCT.md "Rule" shape, field errors, 404, 409 for a registry in use, audit.</summary>
public sealed class RuleApiTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>, IAsyncLifetime
{
    private const string ViewerName = "rule-viewer";
    private const string ViewerPassword = "Viewer-Passw0rd";

    private static readonly string[] UnclosedBrace = ["{app"];
    private static readonly string[] SlashInTag = ["v1/x"];
    private static readonly string[] ExcludeTest = ["*-test"];
    private static readonly string[] SubmittedNames = ["nginx", " tools/cli ", "", "redis"];
    private static readonly string[] NginxPattern = ["ngin*"];
    private static readonly string[] BadNames = ["app", "web*", "App", "app"];

    private int sourceId;
    private int destinationId;

    public async Task InitializeAsync()
    {
        sourceId = await CreateRegistryAsync("src", "https://source.example.com", password: "Source-Registry-Secret-1");
        destinationId = await CreateRegistryAsync("dst", "https://destination.example.com");
        if ((await app.Services.GetRequiredService<UserAccountService>().ListAsync()).All(u => u.UserName != ViewerName))
        {
            await app.CreateUserAsync(ViewerName, ViewerPassword, Roles.Viewer);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Create_returns_201_with_the_rule_in_its_documented_shape()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("nightly");

        using var created = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name, description: "team images"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/rules/{id}", created.Headers.Location!.ToString());
        Assert.Equal(
            ["id", "name", "description", "sourceRegistryId", "sourceProject", "repositories", "tags", "destinationRegistryId", "destinationProject", "trigger", "override", "includeReferrers", "enabled",
             "destinationNaming", "bandwidthLimitKiBps", "platforms"],
            rule.EnumerateObject().Select(p => p.Name));
        Assert.Equal(name, rule.GetProperty("name").GetString());
        Assert.Equal("team images", rule.GetProperty("description").GetString());
        Assert.Equal(sourceId, rule.GetProperty("sourceRegistryId").GetInt32());
        Assert.Equal("team", rule.GetProperty("sourceProject").GetString());
        Assert.Equal(["include", "exclude", "names"], rule.GetProperty("repositories").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["app*"], Strings(rule.GetProperty("repositories").GetProperty("include")));
        Assert.Empty(Strings(rule.GetProperty("repositories").GetProperty("exclude")));
        Assert.Empty(Strings(rule.GetProperty("repositories").GetProperty("names")));
        Assert.Equal(["include", "exclude", "semver", "newest"], rule.GetProperty("tags").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("tags").GetProperty("semver").ValueKind);
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("tags").GetProperty("newest").ValueKind);
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("bandwidthLimitKiBps").ValueKind);
        Assert.Equal(["v*"], Strings(rule.GetProperty("tags").GetProperty("include")));
        Assert.Equal(["*-rc*"], Strings(rule.GetProperty("tags").GetProperty("exclude")));
        Assert.Equal(destinationId, rule.GetProperty("destinationRegistryId").GetInt32());
        Assert.Equal("", rule.GetProperty("destinationProject").GetString());
        var trigger = rule.GetProperty("trigger");
        Assert.Equal(["mode", "cron", "replicateDeletions", "replicateExisting"], trigger.EnumerateObject().Select(p => p.Name));
        Assert.Equal("scheduled", trigger.GetProperty("mode").GetString());
        Assert.Equal("0 2 * * *", trigger.GetProperty("cron").GetString());
        Assert.True(trigger.GetProperty("replicateDeletions").GetBoolean());
        Assert.False(trigger.GetProperty("replicateExisting").GetBoolean());
        Assert.True(rule.GetProperty("override").GetBoolean());
        Assert.True(rule.GetProperty("includeReferrers").GetBoolean());
        Assert.True(rule.GetProperty("enabled").GetBoolean());

        var fetched = await client.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}");
        Assert.Equal(rule.GetRawText(), fetched.GetRawText());
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/rules");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetInt32() == id);
    }

    [Fact]
    public async Task Omitted_options_take_their_defaults_and_options_that_do_not_apply_are_stored_off()
    {
        using var client = app.CreateBasicClient();

        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name = Unique("minimal"),
            sourceRegistryId = sourceId,
            sourceProject = "team",
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual", cron = "0 2 * * *", replicateDeletions = true, replicateExisting = true },
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(rule.GetProperty("override").GetBoolean());
        Assert.True(rule.GetProperty("includeReferrers").GetBoolean());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("trigger").GetProperty("cron").ValueKind);
        // Mirror mode applies to every trigger mode; replicating existing images only to immediate rules.
        Assert.True(rule.GetProperty("trigger").GetProperty("replicateDeletions").GetBoolean());
        Assert.False(rule.GetProperty("trigger").GetProperty("replicateExisting").GetBoolean());
        Assert.Empty(Strings(rule.GetProperty("repositories").GetProperty("include")));
        Assert.Empty(Strings(rule.GetProperty("repositories").GetProperty("names")));
    }

    [Fact]
    public async Task Repository_names_round_trip_and_a_client_that_omits_them_keeps_working()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("named");

        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name,
            sourceRegistryId = sourceId,
            sourceProject = "library",
            repositories = new { include = Array.Empty<string>(), exclude = ExcludeTest, names = SubmittedNames },
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual" },
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var fetched = await client.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}");
        Assert.Equal(["nginx", "tools/cli", "redis"], Strings(fetched.GetProperty("repositories").GetProperty("names")));
        Assert.Equal(["*-test"], Strings(fetched.GetProperty("repositories").GetProperty("exclude")));
        var scope = await app.Services.GetRequiredService<ReplicationRuleStore>().LoadScopeAsync(id);
        Assert.Equal(["nginx", "tools/cli", "redis"], scope!.Filter.ExplicitRepositories);

        // An older client sends repositories without names: the rule lists the catalog again.
        using var updated = await client.PutAsJsonAsync($"/api/v1/rules/{id}", new
        {
            name,
            sourceRegistryId = sourceId,
            sourceProject = "library",
            repositories = new { include = NginxPattern, exclude = Array.Empty<string>() },
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual" },
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var rule = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(Strings(rule.GetProperty("repositories").GetProperty("names")));
        Assert.Equal(["ngin*"], Strings(rule.GetProperty("repositories").GetProperty("include")));

        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=rule&pageSize=500");
        var entries = page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("target").GetString() == $"rule '{name}'").ToList();
        Assert.Contains("repositoryNames=nginx, tools/cli, redis", entries[1].GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Contains("repositoryNames: 'nginx, tools/cli, redis' -> ''", entries[0].GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destination_naming_round_trips_as_the_contract_spells_it_and_older_clients_keep_the_full_path()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("flat");

        using var created = await client.PostAsync("/api/v1/rules", Json($$$"""
            {"name":"{{{name}}}","sourceRegistryId":{{{sourceId}}},"sourceProject":"team","destinationRegistryId":{{{destinationId}}},
             "destinationNaming":{"flatten":2,"prefix":" mirror "},"trigger":{"mode":"manual"}}
            """));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetInt32();
        Assert.Equal("""{"flatten":2,"prefix":"mirror"}""", rule.GetProperty("destinationNaming").GetRawText());
        var scope = await app.Services.GetRequiredService<ReplicationRuleStore>().LoadScopeAsync(id);
        Assert.Equal((2, "mirror"), (scope!.Naming.FlattenLevels, scope.Naming.Prefix));

        using var all = await client.PutAsync($"/api/v1/rules/{id}", Json($$$"""
            {"name":"{{{name}}}","sourceRegistryId":{{{sourceId}}},"sourceProject":"team","destinationRegistryId":{{{destinationId}}},
             "destinationNaming":{"flatten":"all"},"trigger":{"mode":"manual"}}
            """));
        Assert.Equal("""{"flatten":"all","prefix":""}""", (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destinationNaming").GetRawText());

        using var older = await client.PutAsJsonAsync($"/api/v1/rules/{id}", new
        {
            name, sourceRegistryId = sourceId, sourceProject = "team", destinationRegistryId = destinationId, trigger = new { mode = "manual" },
        });
        Assert.Equal("""{"flatten":"none","prefix":""}""", (await older.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destinationNaming").GetRawText());
    }

    [Fact]
    public async Task Version_selection_round_trips_in_tags_and_bad_values_are_400s_at_their_fields()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("semver");

        using var created = await client.PostAsync("/api/v1/rules", Json($$$"""
            {"name":"{{{name}}}","sourceRegistryId":{{{sourceId}}},"sourceProject":"team","destinationRegistryId":{{{destinationId}}},
             "tags":{"include":["*"],"semver":" >=1.2 <2 ","newest":3},"bandwidthLimitKiBps":10240,"platforms":["linux/amd64"],"trigger":{"mode":"manual"}}
            """));
        using var bad = await client.PostAsync("/api/v1/rules", Json($$$"""
            {"name":"{{{Unique("badsemver")}}}","sourceRegistryId":{{{sourceId}}},"sourceProject":"team","destinationRegistryId":{{{destinationId}}},
             "tags":{"semver":">=1.2 <<2","newest":-1},"trigger":{"mode":"manual"}}
            """));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("""{"include":["*"],"exclude":[],"semver":">=1.2 <2","newest":3}""", rule.GetProperty("tags").GetRawText());
        var scope = await app.Services.GetRequiredService<ReplicationRuleStore>().LoadScopeAsync(rule.GetProperty("id").GetInt32());
        Assert.Equal((">=1.2 <2", (int?)3), (scope!.Filter.SemverRange, scope.Filter.Newest));
        Assert.Equal(10240, rule.GetProperty("bandwidthLimitKiBps").GetInt32());
        Assert.Equal(10240, scope.BandwidthLimitKiBps);
        Assert.Equal(["linux/amd64"], Strings(rule.GetProperty("platforms")));
        Assert.Equal(["linux/amd64"], scope.Platforms);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("Not a semantic-version range", First(errors, "tags.semver"), StringComparison.Ordinal);
        Assert.Contains("from 1 to 10000", First(errors, "tags.newest"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_destination_naming_is_a_400_at_its_fields()
    {
        using var client = app.CreateBasicClient();

        using var response = await client.PostAsync("/api/v1/rules", Json($$$"""
            {"name":"{{{Unique("badflat")}}}","sourceRegistryId":{{{sourceId}}},"sourceProject":"team","destinationRegistryId":{{{destinationId}}},
             "destinationNaming":{"flatten":5,"prefix":"Mirror"},"trigger":{"mode":"manual"}}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("Flatten '5' is not one of the choices", First(errors, "destinationNaming.flatten"), StringComparison.Ordinal);
        Assert.Contains("has capital letters", First(errors, "destinationNaming.prefix"), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Bad_repository_names_are_a_400_at_repositories_names_and_save_nothing()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("badnames");

        using var response = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name,
            sourceRegistryId = sourceId,
            sourceProject = "team",
            repositories = new { names = BadNames },
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["repositories.names"], errors.EnumerateObject().Select(p => p.Name));
        var messages = Strings(errors.GetProperty("repositories.names"));
        Assert.Contains(messages, m => m.Contains("'web*' is a pattern", StringComparison.Ordinal) && m.Contains("use the include patterns", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'App' has capital letters", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'app' is listed more than once", StringComparison.Ordinal));
        var rules = await client.GetFromJsonAsync<JsonElement>("/api/v1/rules");
        Assert.DoesNotContain(rules.EnumerateArray(), r => r.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task Invalid_input_is_a_400_problem_listing_each_field_and_saves_nothing()
    {
        using var client = app.CreateBasicClient();
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/v1/rules")).GetArrayLength();

        using var response = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name = "",
            sourceRegistryId = 999999,
            sourceProject = "Team/App",
            repositories = new { include = UnclosedBrace, exclude = Array.Empty<string>() },
            tags = new { include = SlashInTag, exclude = Array.Empty<string>() },
            trigger = new { mode = "scheduled", cron = "61 * * * *" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("Name is required.", First(errors, "name"), StringComparison.Ordinal);
        Assert.StartsWith("Source registry 999999 does not exist", First(errors, "sourceRegistryId"), StringComparison.Ordinal);
        Assert.Contains("contains '/'", First(errors, "sourceProject"), StringComparison.Ordinal);
        Assert.Contains("'{' at position 1 is never closed", First(errors, "repositories.include"), StringComparison.Ordinal);
        Assert.Contains("tags cannot contain '/'", First(errors, "tags.include"), StringComparison.Ordinal);
        Assert.StartsWith("Destination registry is required.", First(errors, "destinationRegistryId"), StringComparison.Ordinal);
        Assert.Contains("Minutes: Value must be a number between 0 and 59", First(errors, "trigger.cron"), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetFromJsonAsync<JsonElement>("/api/v1/rules")).GetArrayLength());
    }

    [Fact]
    public async Task A_schedule_more_often_than_once_a_minute_is_a_400_at_the_cron_and_saves_nothing()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("every-second");

        using var response = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name, cron: "* * * * * *"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["trigger.cron"], errors.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("Cron '* * * * * *' runs every 1 second; a rule may run at most once every 1 minute.", First(errors, "trigger.cron"), StringComparison.Ordinal);
        var rules = await client.GetFromJsonAsync<JsonElement>("/api/v1/rules");
        Assert.DoesNotContain(rules.EnumerateArray(), r => r.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task A_rule_onto_itself_and_a_taken_name_are_field_errors()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("taken");
        using var first = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name.ToUpperInvariant(), destinationRegistryId: sourceId));

        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        var errors = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith($"A rule named '{name.ToUpperInvariant()}' already exists.", First(errors, "name"), StringComparison.Ordinal);
        Assert.Contains("would copy images onto themselves", First(errors, "destinationProject"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_replaces_the_settings_and_delete_removes_the_rule()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("change");
        using var created = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var updated = await client.PutAsJsonAsync($"/api/v1/rules/{id}", new
        {
            name,
            sourceRegistryId = sourceId,
            sourceProject = "team",
            destinationRegistryId = destinationId,
            destinationProject = "mirror",
            trigger = new { mode = "immediate", replicateExisting = true },
            @override = false,
            enabled = false,
        });

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var rule = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("mirror", rule.GetProperty("destinationProject").GetString());
        Assert.Equal("immediate", rule.GetProperty("trigger").GetProperty("mode").GetString());
        Assert.True(rule.GetProperty("trigger").GetProperty("replicateExisting").GetBoolean());
        Assert.False(rule.GetProperty("override").GetBoolean());
        Assert.False(rule.GetProperty("enabled").GetBoolean());

        using var deleted = await client.DeleteAsync($"/api/v1/rules/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"/api/v1/rules/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Unknown_rule_ids_get_404_problems()
    {
        using var client = app.CreateBasicClient();

        using var get = await client.GetAsync("/api/v1/rules/999999");
        using var put = await client.PutAsJsonAsync("/api/v1/rules/999999", RuleBody(Unique("ghost")));
        using var delete = await client.DeleteAsync("/api/v1/rules/999999");
        using var dryRun = await client.PostAsync("/api/v1/rules/999999/dry-run", null);

        foreach (var response in new[] { get, put, delete, dryRun })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        Assert.Contains("There is no replication rule with id 999999", (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_registry_used_by_a_rule_is_a_409_naming_the_rule()
    {
        using var client = app.CreateBasicClient();
        var registry = await CreateRegistryAsync("used", "https://used.example.com");
        var name = Unique("user-of");
        using var created = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name, destinationRegistryId: registry));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var refused = await client.DeleteAsync($"/api/v1/registries/{registry}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"'{name}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([name], Strings(problem.GetProperty("rules")));
        using var stillThere = await client.GetAsync($"/api/v1/registries/{registry}");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);

        // Once the rule is gone the registry can go too.
        using var ruleDeleted = await client.DeleteAsync($"/api/v1/rules/{id}");
        using var registryDeleted = await client.DeleteAsync($"/api/v1/registries/{registry}");
        Assert.Equal(HttpStatusCode.NoContent, registryDeleted.StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_rules_but_gets_403_on_every_write_and_dry_run()
    {
        using var admin = app.CreateBasicClient();
        using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleBody(Unique("viewed")));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var viewer = app.CreateBasicClient(ViewerName, ViewerPassword);

        using var list = await viewer.GetAsync("/api/v1/rules");
        using var one = await viewer.GetAsync($"/api/v1/rules/{id}");
        using var post = await viewer.PostAsJsonAsync("/api/v1/rules", RuleBody(Unique("nope")));
        using var put = await viewer.PutAsJsonAsync($"/api/v1/rules/{id}", RuleBody("renamed"));
        using var delete = await viewer.DeleteAsync($"/api/v1/rules/{id}");
        using var dryRun = await viewer.PostAsync($"/api/v1/rules/{id}/dry-run", null);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, dryRun.StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_get_401()
    {
        using var anonymous = app.CreateAnonymousClient();

        using var list = await anonymous.GetAsync("/api/v1/rules");
        using var audit = await anonymous.GetAsync("/api/v1/audit");

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, audit.StatusCode);
    }

    [Fact]
    public async Task Rule_changes_are_audited_with_what_changed_and_never_a_secret()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("audited");
        using var created = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(name));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var updated = await client.PutAsJsonAsync($"/api/v1/rules/{id}", RuleBody(name, cron: "0 4 * * *"));
        using var deleted = await client.DeleteAsync($"/api/v1/rules/{id}");

        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=rule&pageSize=500");
        var entries = page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("target").GetString() == $"rule '{name}'").ToList();

        Assert.Equal(["rule.delete", "rule.update", "rule.create"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal(AdminAppFactory.AdminUserName, e.GetProperty("who").GetString()));
        var create = entries[2].GetProperty("details").GetString()!;
        Assert.Contains("source=", create, StringComparison.Ordinal);
        Assert.Contains("tags=v* except *-rc*", create, StringComparison.Ordinal);
        Assert.Equal("trigger: 'scheduled '0 2 * * *'' -> 'scheduled '0 4 * * *''", entries[1].GetProperty("details").GetString());
        Assert.All(entries, e => Assert.DoesNotContain("Source-Registry-Secret-1", e.GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_api_sign_in_is_audited_without_the_password()
    {
        var who = Unique("guesser");
        using var guesser = app.CreateBasicClient(who, "Guessed-Password-9");

        using var response = await guesser.GetAsync("/api/v1/rules");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var entry = Assert.Single(await app.Services.GetRequiredService<AuditLog>().RecentAsync(500), e => e.Who == who);
        Assert.Equal(AuditActions.SignInFailure, entry.Action);
        Assert.Equal("API (HTTP Basic): wrong user name or password, from unknown", entry.Details); // in-process: no client address
        Assert.DoesNotContain("Guessed-Password-9", entry.Details + entry.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_api_pages_and_filters()
    {
        using var client = app.CreateBasicClient();
        var log = app.Services.GetRequiredService<AuditLog>();
        var who = Unique("pager");
        for (var i = 0; i < 5; i++)
        {
            await log.RecordAsync(who, "test.page", $"item {i}");
        }

        var first = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?user={who}&pageSize=2&page=1");
        var third = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?user={who}&pageSize=2&page=3");
        var future = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?user={who}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}");
        using var bad = await client.GetAsync("/api/v1/audit?pageSize=0&page=0");

        Assert.Equal(5, first.GetProperty("total").GetInt32());
        Assert.Equal(["item 4", "item 3"], first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("target").GetString()));
        Assert.Equal(["item 0"], third.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("target").GetString()));
        Assert.Equal(0, future.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("page", out _));
        Assert.True(errors.TryGetProperty("pageSize", out _));
    }

    [Fact]
    public async Task The_scope_for_the_engine_carries_both_registries_with_the_decrypted_password()
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/rules", RuleBody(Unique("scope")));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var scope = await app.Services.GetRequiredService<ReplicationRuleStore>().LoadScopeAsync(id);

        Assert.NotNull(scope);
        Assert.Equal(new Uri("https://source.example.com"), scope.Source.BaseUrl);
        Assert.Equal("Source-Registry-Secret-1", Assert.IsType<BasicCredential>(scope.Source.Credential).Password);
        Assert.Equal(new Uri("https://destination.example.com"), scope.Destination.BaseUrl);
        Assert.Equal("team", scope.SourceProject);
        Assert.Equal("team", scope.EffectiveDestinationProject);
        Assert.Equal(["app*"], scope.Filter.IncludeRepositories);
        Assert.Equal(["*-rc*"], scope.Filter.ExcludeTags);
        Assert.True(scope.ReplicateDeletions);
        Assert.Empty(scope.Validate());
        Assert.Null(await app.Services.GetRequiredService<ReplicationRuleStore>().LoadScopeAsync(999999));
    }

    private object RuleBody(string name, string description = "", int? destinationRegistryId = null, string cron = "0 2 * * *") => new
    {
        name,
        description,
        sourceRegistryId = sourceId,
        sourceProject = "team",
        repositories = new { include = new[] { "app*" }, exclude = Array.Empty<string>() },
        tags = new { include = new[] { "v*" }, exclude = new[] { "*-rc*" } },
        destinationRegistryId = destinationRegistryId ?? destinationId,
        destinationProject = "",
        trigger = new { mode = "scheduled", cron, replicateDeletions = true, replicateExisting = false },
        @override = true,
        includeReferrers = true,
        enabled = true,
    };

    private async Task<int> CreateRegistryAsync(string prefix, string url, string? password = null)
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/registries", new
        {
            name = Unique(prefix),
            url,
            type = "docker-registry",
            username = password is null ? null : "robot",
            password,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static string First(JsonElement errors, string field) =>
        errors.TryGetProperty(field, out var messages) ? messages[0].GetString()! : throw new Xunit.Sdk.XunitException($"no error for {field}: {errors}");

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
