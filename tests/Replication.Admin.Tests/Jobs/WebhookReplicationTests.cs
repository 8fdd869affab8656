using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// Immediate replication end to end: a real <c>docker-registry</c> whose notifications point at the app listening on
/// a loopback port, pushes and deletions at the source, and what arrives (or goes) at the destination.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class WebhookReplicationTests(RegistryFixture registries, KestrelJobsAppFactory app, ITestOutputHelper output)
    : IClassFixture<KestrelJobsAppFactory>, IAsyncLifetime
{
    private RegistryProcess _source = null!;
    private int _sourceId;

    public async Task InitializeAsync()
    {
        _source = await RegistryFixture.StartDedicatedAsync();
        using var admin = app.CreateNetworkClient();
        _sourceId = await RegisterAsync(admin, _source.Url);
        using var generated = await admin.PostAsync($"/api/v1/registries/{_sourceId}/webhook-secret", null);
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var body = await generated.Content.ReadFromJsonAsync<JsonElement>();
        var url = body.GetProperty("url").GetString()!;
        Assert.Equal($"/api/v1/events/{_sourceId}", url);
        _source.ConfigureNotifications([NotificationEndpoint.WithBearer("replication-admin", new Uri(app.ServerUrl, url).ToString(), body.GetProperty("secret").GetString()!)]);
        await _source.RestartAsync();
    }

    public async Task DisposeAsync() => await _source.DisposeAsync();

    [Fact]
    public async Task A_push_replicates_and_a_deletion_deletes_only_what_the_rule_replicated_and_only_where_the_rule_says_so()
    {
        var destination = await registries.AnonymousAsync();
        var project = UniqueProject("hook");
        using var admin = app.CreateNetworkClient();
        var destinationId = await RegisterAsync(admin, destination.Url);
        var deleting = await CreateRuleAsync(
            app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.ReplicateDeletions = true; r.DestinationProject = project + "-del"; }, _sourceId, destinationId, project);
        var keeping = await CreateRuleAsync(
            app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.ReplicateDeletions = false; r.DestinationProject = project + "-keep"; }, _sourceId, destinationId, project);
        var filtered = await CreateRuleAsync(
            app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.IncludeTags = ["release-*"]; r.DestinationProject = project + "-rel"; }, _sourceId, destinationId, project);

        using var source = new OciTestClient(_source);
        using var check = new OciTestClient(destination);

        // Push: replicated by both rules whose filter selects it, within seconds.
        var clock = Stopwatch.StartNew();
        var image = await source.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(101, 5_000));
        var pushed = clock.Elapsed;
        await WaitUntilAsync(
            async () => await TagSettledAsync(check, $"{project}-del/app", "v1", image.Digest)
                && await TagSettledAsync(check, $"{project}-keep/app", "v1", image.Digest),
            RunDeadline,
            () => "the pushed image did not arrive at both destinations");
        output.WriteLine($"Push -> replicated through the webhook: {(clock.Elapsed - pushed).TotalMilliseconds:0} ms (push itself {pushed.TotalMilliseconds:0} ms)");
        Assert.Null(await check.GetManifestDigestAsync($"{project}-rel/app", "v1"));
        Assert.Empty(await ExecutionsOfRuleAsync(app.Services, filtered));
        var pushExecution = Assert.Single(await ExecutionsOfRuleAsync(app.Services, deleting));
        Assert.Equal(ExecutionTrigger.Event, pushExecution.Trigger);
        await WaitFinishedAsync(admin, pushExecution.Id);

        // Someone else tags the same image at the destination: the rule never replicated that tag.
        await check.TagAsync(image with { Repository = $"{project}-del/app" }, "theirs");
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-del/app", "theirs"));

        // Delete at the source: removed where the rule replicates deletions, kept elsewhere; the foreign tag survives.
        await source.DeleteManifestAsync($"{project}/app", image.Digest);
        await WaitUntilAsync(
            async () => await TagSettledAsync(check, $"{project}-del/app", "v1", null),
            RunDeadline,
            () => "the deleted image is still at the destination of the rule that replicates deletions");
        var deletion = (await ExecutionsOfRuleAsync(app.Services, deleting)).Last();
        await WaitFinishedAsync(admin, deletion.Id);
        Assert.Equal(ExecutionStatus.Succeeded, (await ExecutionAsync(app.Services, deletion.Id))!.Status);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-del/app", "theirs"));
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-keep/app", "v1"));
        Assert.Single(await ExecutionsOfRuleAsync(app.Services, keeping));
    }

    [Fact]
    public async Task A_burst_of_pushes_of_one_tag_ends_with_the_last_digest_at_the_destination()
    {
        var destination = await registries.AnonymousAsync();
        var project = UniqueProject("burst");
        using var admin = app.CreateNetworkClient();
        var destinationId = await RegisterAsync(admin, destination.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Immediate; r.DestinationProject = project + "-copy"; }, _sourceId, destinationId, project);

        using var source = new OciTestClient(_source);
        PushedImage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await source.PushImageAsync($"{project}/app", "latest", ImageSpec.WithLayers(110 + i, 2_000));
        }

        using var check = new OciTestClient(destination);
        await WaitUntilAsync(
            () => TagSettledAsync(check, $"{project}-copy/app", "latest", last.Digest),
            RunDeadline,
            () => "the last push did not win");
        var executions = await ExecutionsOfRuleAsync(app.Services, ruleId);
        output.WriteLine($"5 pushes of one tag -> {executions.Count} execution(s)");
        Assert.InRange(executions.Count, 1, 5);
        Assert.All(executions, e => Assert.Equal(ExecutionTrigger.Event, e.Trigger));
    }
}
