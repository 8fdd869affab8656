using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Admin.Webhooks;
using Replication.Engine.Planning;
using Replication.Registry.Content;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>The event receiver refuses what it must (4xx, nothing queued) and accepts both notification formats.</summary>
public sealed class WebhookInputTests(JobsAppFactory app, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<JobsAppFactory>, IAsyncLifetime
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private int _registryId;
    private string _secret = "";
    private int _ruleId;
    private string _project = "";

    public async Task InitializeAsync()
    {
        using var admin = app.CreateBasicClient();

        // Nothing listens there: these tests stop at the queue and never reach a registry (the rule is disabled later).
        _registryId = await RegisterAsync(admin, "http://127.0.0.1:9");
        var other = await RegisterAsync(admin, "http://127.0.0.1:10");
        using var generated = await admin.PostAsync($"/api/v1/registries/{_registryId}/webhook-secret", null);
        _secret = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        _project = UniqueProject("in");
        _ruleId = await CreateRuleAsync(app.Services, r => r.TriggerMode = TriggerMode.Immediate, _registryId, other, _project);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Bad_requests_are_refused_and_queue_nothing()
    {
        using var client = app.CreateAnonymousClient();
        var valid = Envelope(("push", $"{_project}/app", "v1"));
        var before = await CountExecutionsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, _registryId, valid, secret: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, _registryId, valid, secret: "wrong-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(client, _registryId, valid, secret: _secret + "x"));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(client, 987654, valid, _secret));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, _registryId, "{\"events\": [ {\"action\": ", _secret));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, _registryId, "[1,2,3]", _secret));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, _registryId, "{\"hello\":\"world\"}", _secret));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, _registryId, Envelope(("push", "UPPER/Case", "v1")), _secret));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, _registryId, Envelope(("push", $"{_project}/app", "bad tag!")), _secret));
        var huge = "{\"events\":[" + string.Join(",", Enumerable.Repeat("{\"action\":\"pull\",\"target\":{\"repository\":\"a/b\",\"tag\":\"x\"}}", 40_000)) + "]}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(client, _registryId, huge, _secret));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(client, _registryId, valid, _secret, "text/plain"));

        Assert.Equal(before, await CountExecutionsAsync());
    }

    [Fact]
    public async Task Pulls_blobs_and_pushes_by_digest_are_ignored_and_a_burst_for_one_tag_becomes_one_change()
    {
        using var client = app.CreateAnonymousClient();
        await DisableOtherPendingAsync();
        var body = Envelope(
            ("pull", $"{_project}/app", "v1"),
            ("push", $"{_project}/app", "v2"),
            ("push", $"{_project}/app", "v2"),
            ("push", $"{_project}/app", "v2"));
        var blobPush = $$$"""{"events":[{"action":"push","target":{"mediaType":"application/octet-stream","digest":"{{{Digest}}}","repository":"{{{_project}}}/app","url":"http://r/v2/{{{_project}}}/app/blobs/{{{Digest}}}"}}]}""";

        using var ignored = await SendAsync(client, _registryId, blobPush, _secret);
        Assert.Equal(HttpStatusCode.Accepted, ignored.StatusCode);
        var receipt = await ignored.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, receipt.GetProperty("accepted").GetInt32());
        Assert.Equal(1, receipt.GetProperty("ignored").GetInt32());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var accepted = await SendAsync(client, _registryId, body, _secret);
        output.WriteLine($"Notification with 4 events answered {accepted.StatusCode} in {clock.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        receipt = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, receipt.GetProperty("ignored").GetInt32());
        var id = Assert.Single(receipt.GetProperty("executions").EnumerateArray()).GetInt64();
        var execution = await ExecutionAsync(app.Services, id);
        Assert.Equal(ExecutionTrigger.Event, execution!.Trigger);
        Assert.Equal(_ruleId, execution.RuleId);
        var change = Assert.Single(execution.Changes);
        Assert.Equal(("v2", $"{_project}/app"), (change.Tag, change.Repository));
    }

    [Fact]
    public async Task A_Harbor_push_payload_is_understood()
    {
        using var client = app.CreateAnonymousClient();
        await DisableOtherPendingAsync();
        var harbor = $$$"""
            {"type":"PUSH_ARTIFACT","occur_at":1700000000,"operator":"admin",
             "event_data":{"resources":[{"digest":"{{{Digest}}}","tag":"2.0","resource_url":"harbor.example/{{{_project}}}/web:2.0"}],
                           "repository":{"name":"web","namespace":"{{{_project}}}","repo_full_name":"{{{_project}}}/web","repo_type":"private"} } }
            """;
        using var response = await SendAsync(client, _registryId, harbor, _secret, "application/json");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executions").EnumerateArray()).GetInt64();
        var changes = (await ExecutionAsync(app.Services, id))!.Changes;
        Assert.Contains(changes, c => c.Repository == $"{_project}/web" && c.Tag == "2.0" && c.Digest == Digest);
    }

    [Fact]
    public async Task A_rule_with_repository_names_is_triggered_only_by_events_for_those_repositories()
    {
        using var admin = app.CreateBasicClient();
        var registryId = await RegisterAsync(admin, "http://127.0.0.1:9");
        var destinationId = await RegisterAsync(admin, "http://127.0.0.1:10");
        using var generated = await admin.PostAsync($"/api/v1/registries/{registryId}/webhook-secret", null);
        var secret = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var project = UniqueProject("nm");
        var ruleId = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.RepositoryNames = ["app", "tools/cli"]; }, registryId, destinationId, project);
        using var client = app.CreateAnonymousClient();

        using var outside = await SendAsync(client, registryId, Envelope(("push", $"{project}/web", "v1"), ("push", $"{project}/tools/cli-debug", "v1")), secret);
        Assert.Equal(HttpStatusCode.Accepted, outside.StatusCode);
        Assert.Empty((await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executions").EnumerateArray());
        Assert.Empty(await ExecutionsOfRuleAsync(app.Services, ruleId));

        using var named = await SendAsync(client, registryId, Envelope(("push", $"{project}/web", "v2"), ("push", $"{project}/tools/cli", "v1")), secret);
        Assert.Equal(HttpStatusCode.Accepted, named.StatusCode);
        var id = Assert.Single((await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executions").EnumerateArray()).GetInt64();
        var execution = await ExecutionAsync(app.Services, id);
        Assert.Equal(ruleId, execution!.RuleId);
        var change = Assert.Single(execution.Changes);
        Assert.Equal(($"{project}/tools/cli", "v1"), (change.Repository, change.Tag));

        // Nothing listens at the registry: stop the rule here rather than let it retry.
        await UpdateRuleAsync(app.Services, ruleId, r => r.Enabled = false);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        await db.Executions.Where(e => e.RuleId == ruleId && e.Status == ExecutionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Stopped));
    }

    [Fact]
    public async Task An_event_for_the_repository_named_like_the_project_concerns_the_rule_as_the_engine_says()
    {
        var (registryId, destinationId, secret) = await UnreachableSourceAsync();
        var project = UniqueProject("pr");
        var ruleId = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.DestinationProject = project + "-copy"; }, registryId, destinationId, project);
        var change = new SourceChange(SourceChangeKind.Pushed, project, "v1", Digest);
        var answer = ReplicationPlanner.Concerns(ReplicationRuleStore.ToEventScope(await RuleAsync(ruleId)), change);
        using var client = app.CreateAnonymousClient();

        using var response = await SendAsync(client, registryId, Envelope(("push", project, "v1")), secret);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal((ChangeEffect.Copy, project + "-copy"), (answer.Effect, answer.DestinationRepository));
        var id = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executions").EnumerateArray()).GetInt64();
        var execution = await ExecutionAsync(app.Services, id);
        Assert.Equal(ruleId, execution!.RuleId);
        Assert.Equal(change, Assert.Single(execution.Changes));
        await StopAsync(ruleId);
    }

    [Fact]
    public async Task A_cosign_signature_outside_the_tag_filter_follows_its_image_only_where_the_rule_includes_referrers()
    {
        var (registryId, destinationId, secret) = await UnreachableSourceAsync();
        var project = UniqueProject("sg");
        var signing = await CreateRuleAsync(
            app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.IncludeTags = ["v*"]; r.IncludeReferrers = true; r.DestinationProject = project + "-a"; }, registryId, destinationId, project);
        var plain = await CreateRuleAsync(
            app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.IncludeTags = ["v*"]; r.IncludeReferrers = false; r.DestinationProject = project + "-b"; }, registryId, destinationId, project);
        var signature = AttachmentTags.Stem(Digest) + ".sig";

        // Named like an attachment but not one (AttachmentTags knows .sig, .att and .sbom): an ordinary tag the filter leaves out.
        var lookAlike = AttachmentTags.Stem(Digest) + ".bak";
        using var client = app.CreateAnonymousClient();

        using var response = await SendAsync(client, registryId, Envelope(("push", $"{project}/app", signature), ("push", $"{project}/app", lookAlike)), secret);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executions").EnumerateArray()).GetInt64();
        var execution = await ExecutionAsync(app.Services, id);
        Assert.Equal(signing, execution!.RuleId);
        var queued = execution.Changes;
        Assert.Equal([signature], queued.Select(c => c.Tag));
        Assert.Empty(await ExecutionsOfRuleAsync(app.Services, plain));

        // Change by change and rule by rule, queued exactly where the engine says it concerns the rule.
        foreach (var ruleId in new[] { signing, plain })
        {
            var scope = ReplicationRuleStore.ToEventScope(await RuleAsync(ruleId));
            foreach (var tag in new[] { signature, lookAlike })
            {
                var answer = ReplicationPlanner.Concerns(scope, new SourceChange(SourceChangeKind.Pushed, $"{project}/app", tag, Digest));
                Assert.Equal(answer.IsConcerned, ruleId == signing && queued.Any(c => c.Tag == tag));
            }
        }

        Assert.Equal(ArtifactKind.Referrer, ReplicationPlanner.Concerns(ReplicationRuleStore.ToEventScope(await RuleAsync(signing)), queued[0]).Kind);
        await StopAsync(signing);
    }

    [Fact]
    public async Task The_secret_is_stored_only_as_a_hash_and_generating_it_needs_an_administrator()
    {
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync())
        {
            var hash = await db.RegistryEndpoints.Where(r => r.Id == _registryId).Select(r => r.WebhookSecretHash).SingleAsync();
            Assert.NotNull(hash);
            Assert.DoesNotContain(_secret, hash, StringComparison.Ordinal);
            Assert.True(WebhookSecrets.Matches(hash, _secret));
        }

        using var anonymous = app.CreateAnonymousClient();
        using var refused = await anonymous.PostAsync($"/api/v1/registries/{_registryId}/webhook-secret", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var admin = app.CreateBasicClient();
        using var missing = await admin.PostAsync("/api/v1/registries/987654/webhook-secret", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var registry = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/registries/{_registryId}");
        Assert.DoesNotContain(_secret, registry.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A source registry with a webhook secret and a destination, neither listening: these tests stop at the queue.</summary>
    private async Task<(int RegistryId, int DestinationId, string Secret)> UnreachableSourceAsync()
    {
        using var admin = app.CreateBasicClient();
        var registryId = await RegisterAsync(admin, "http://127.0.0.1:9");
        var destinationId = await RegisterAsync(admin, "http://127.0.0.1:10");
        using var generated = await admin.PostAsync($"/api/v1/registries/{registryId}/webhook-secret", null);
        var secret = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        return (registryId, destinationId, secret);
    }

    private async Task<ReplicationRule> RuleAsync(int ruleId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        return await db.ReplicationRules.AsNoTracking().SingleAsync(r => r.Id == ruleId);
    }

    /// <summary>Nothing listens at the registry: stop the rule here rather than let it retry.</summary>
    private async Task StopAsync(int ruleId)
    {
        await UpdateRuleAsync(app.Services, ruleId, r => r.Enabled = false);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        await db.Executions.Where(e => e.RuleId == ruleId && e.Status == ExecutionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Stopped));
    }

    private async Task DisableOtherPendingAsync()
    {
        // Executions queued by another test of this class must not fold this test's changes in.
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        await db.Executions.Where(e => e.RuleId == _ruleId && e.Status == ExecutionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Stopped));
    }

    /// <summary>Event executions (automatic retries of earlier ones may come and go meanwhile).</summary>
    private async Task<int> CountExecutionsAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        return await db.Executions.CountAsync(e => e.Trigger == ExecutionTrigger.Event);
    }

    private static string Envelope(params (string Action, string Repository, string Tag)[] events) =>
        JsonSerializer.Serialize(new
        {
            events = events.Select(e => new
            {
                id = Guid.NewGuid().ToString(),
                action = e.Action,
                target = new
                {
                    mediaType = "application/vnd.oci.image.manifest.v1+json",
                    digest = Digest,
                    repository = e.Repository,
                    tag = e.Tag,
                    url = $"http://registry/v2/{e.Repository}/manifests/{Digest}",
                },
            }),
        });

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, int registryId, string body, string? secret, string contentType = RegistryEventParser.DistributionMediaType)
    {
        using var response = await SendAsync(client, registryId, body, secret, contentType);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, int registryId, string body, string? secret, string contentType = RegistryEventParser.DistributionMediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{registryId}")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)),
        };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return await client.SendAsync(request);
    }
}
