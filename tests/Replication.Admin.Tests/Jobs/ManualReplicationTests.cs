using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Replicate through the API against real registries: the run, the digests, the record, live progress.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class ManualReplicationTests(RegistryFixture registries, JobsAppFactory app, ITestOutputHelper output) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task Replicate_through_the_API_copies_every_artifact_with_its_digest_and_records_it()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = UniqueProject("man");
        using var sourceClient = new OciTestClient(source);
        using var destinationClient = new OciTestClient(destination);
        var v1 = await sourceClient.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(11, 300_000, 40_000));
        var v2 = await sourceClient.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(12, 200_000));
        var multi = await sourceClient.PushIndexAsync($"{project}/tools/cli", "1.0", [ImageSpec.WithLayers(13, 50_000), ImageSpec.WithLayers(14, 60_000)]);

        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, source.Url);
        var destinationId = await RegisterAsync(admin, destination.Url, destination.UserName, destination.Password);
        var ruleId = await CreateRuleAsync(app.Services, _ => { }, sourceId, destinationId, project);

        var notifier = app.Services.GetRequiredService<ExecutionNotifier>();
        var clock = new Stopwatch();
        var firstRunning = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var snapshots = new ConcurrentQueue<ExecutionProgress>();
        using var subscription = notifier.Subscribe(progress =>
        {
            if (progress.RuleId == ruleId)
            {
                snapshots.Enqueue(progress);
                if (progress.Status == ExecutionStatus.Running)
                {
                    firstRunning.TrySetResult(clock.Elapsed);
                }
            }

            return Task.CompletedTask;
        });

        clock.Start();
        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var started = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var id = started.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/executions/{id}", accepted.Headers.Location!.ToString());
        Assert.Equal(ruleId, started.GetProperty("ruleId").GetInt32());
        Assert.Equal("manual", started.GetProperty("trigger").GetString());
        Assert.True(started.GetProperty("status").GetString() is "pending" or "running", started.ToString());

        var finished = await WaitFinishedAsync(admin, id);
        output.WriteLine($"Replicate -> first progress update (Running) after {(await firstRunning.Task).TotalMilliseconds:0} ms; run finished after {clock.ElapsedMilliseconds} ms");

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(3, finished.GetProperty("total").GetInt32());
        Assert.Equal(3, finished.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, finished.GetProperty("failed").GetInt32());
        Assert.True(finished.GetProperty("bytesDone").GetInt64() > 0);
        Assert.Equal(finished.GetProperty("bytesTotal").GetInt64(), finished.GetProperty("bytesDone").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, finished.GetProperty("startedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, finished.GetProperty("finishedAt").ValueKind);

        Assert.Equal(v1.Digest, await destinationClient.GetManifestDigestAsync($"{project}/app", "v1"));
        Assert.Equal(v2.Digest, await destinationClient.GetManifestDigestAsync($"{project}/app", "v2"));
        Assert.Equal(multi.Digest, await destinationClient.GetManifestDigestAsync($"{project}/tools/cli", "1.0"));

        var tasks = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}/tasks");
        Assert.Equal(3, tasks.GetArrayLength());
        Assert.All(tasks.EnumerateArray(), t => Assert.Equal("succeeded", t.GetProperty("status").GetString()));
        Assert.Contains(tasks.EnumerateArray(), t => t.GetProperty("destination").GetString() == $"{project}/app:v1" && t.GetProperty("digest").GetString() == v1.Digest);

        // A page of the tasks that match a search, and how many match in all.
        using var searched = await admin.GetAsync($"/api/v1/executions/{id}/tasks?search=APP&take=1");
        Assert.Equal("2", Assert.Single(searched.Headers.GetValues("X-Total-Count")));
        Assert.Equal($"{project}/app:v1", Assert.Single((await searched.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()).GetProperty("destination").GetString());
        using var refused = await admin.GetAsync($"/api/v1/executions/{id}/tasks?skip=-1");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync())
        {
            var records = await db.ReplicatedArtifacts.Where(a => a.RuleId == ruleId).ToListAsync();
            Assert.Contains(records, r => r.Repository == $"{project}/app" && r.Tag == "v1" && r.Digest == v1.Digest);
            Assert.Contains(records, r => r.Repository == $"{project}/tools/cli" && r.Tag == "1.0" && r.Digest == multi.Digest);
            var row = await db.ExecutionTasks.FirstAsync(t => t.ExecutionId == id && t.Tag == "v1");
            Assert.Contains("Pushed manifest", row.Log, StringComparison.Ordinal);
        }

        Assert.Contains(snapshots, s => s.ExecutionId == id && s.Status == ExecutionStatus.Succeeded && s.Succeeded == 3);

        // The listing finds it by rule and by status.
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions?ruleId={ruleId}&status=succeeded");
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetInt64());

        // A second run copies nothing: everything is up to date.
        using var again = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var second = await WaitFinishedAsync(admin, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Equal("succeeded", second.GetProperty("status").GetString());
        Assert.Equal(3, second.GetProperty("upToDate").GetInt32());
        Assert.Equal(0, second.GetProperty("succeeded").GetInt32());
    }

    [Fact]
    public async Task Replicate_refuses_unknown_and_disabled_rules_and_viewers()
    {
        var registry = await registries.AnonymousAsync();
        using var admin = app.CreateBasicClient();
        var id = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => { r.Enabled = false; r.DestinationProject = "elsewhere"; }, id, id, UniqueProject("dis"));

        using var unknown = await admin.PostAsync("/api/v1/rules/999999/executions", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var disabled = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Conflict, disabled.StatusCode);
        Assert.Empty(await ExecutionsOfRuleAsync(app.Services, ruleId));

        var viewerName = "viewer-" + Guid.NewGuid().ToString("N")[..6];
        await app.CreateUserAsync(viewerName, "Viewer-Passw0rd", "Viewer");
        using var viewer = app.CreateBasicClient(viewerName, "Viewer-Passw0rd");
        using var forbidden = await viewer.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var readable = await viewer.GetAsync($"/api/v1/executions?ruleId={ruleId}");
        Assert.Equal(HttpStatusCode.OK, readable.StatusCode);
        using var anonymous = app.CreateAnonymousClient();
        using var refused = await anonymous.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var list = await anonymous.GetAsync("/api/v1/executions");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        using var badFilter = await admin.GetAsync("/api/v1/executions?status=nonsense");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        using var missing = await admin.GetAsync("/api/v1/executions/987654321");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_second_trigger_while_one_waits_joins_it_instead_of_running_twice()
    {
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("fold");
        using (var client = new OciTestClient(registry))
        {
            await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(21, 200_000, 200_000, 200_000));
        }

        // A slow run holds the rule's turn, so the next trigger waits behind it for certain.
        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(700));
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, slowSource.Url);
        var destinationId = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);
        var launcher = app.Services.GetRequiredService<ExecutionLauncher>();
        var running = await launcher.StartManualAsync(ruleId, "test");
        await WaitUntilAsync(async () => (await ExecutionAsync(app.Services, running.Execution!.Id))!.Status == ExecutionStatus.Running, RunDeadline, () => "the first run did not start");

        var waiting = await launcher.StartManualAsync(ruleId, "test");
        var joined = await launcher.StartManualAsync(ruleId, "someone else");

        Assert.Equal(LaunchOutcome.Started, waiting.Outcome);
        Assert.Equal(LaunchOutcome.Folded, joined.Outcome);
        Assert.Equal(waiting.Execution!.Id, joined.Execution!.Id);
        slowSource.ClearFaults();
        await WaitFinishedAsync(admin, running.Execution!.Id);
        await WaitFinishedAsync(admin, waiting.Execution.Id);
        var executions = await ExecutionsOfRuleAsync(app.Services, ruleId);
        Assert.Equal(2, executions.Count);
        Assert.All(executions, e => Assert.Equal(ExecutionStatus.Succeeded, e.Status));

        // Never concurrently against the same destination: the waiting one started after the first finished.
        Assert.True(executions[1].StartedAt >= executions[0].FinishedAt, "two executions of one rule overlapped");
    }
}
