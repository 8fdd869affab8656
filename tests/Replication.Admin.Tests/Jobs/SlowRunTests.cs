using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Admin.Executions;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>One blob at a time, so a run lasts seconds when the source answers slowly.</summary>
public sealed class SlowJobsAppFactory : JobsAppFactory
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Replication:Engine:MaxParallelBlobs"] = "1",
        ["Replication:Engine:MaxParallelArtifacts"] = "1",
    };
}

/// <summary>Runs long enough to watch: saved progress advances, and Stop ends a run without a partial image.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class SlowRunTests(RegistryFixture registries, SlowJobsAppFactory app) : IClassFixture<SlowJobsAppFactory>
{
    [Fact]
    public async Task Saved_progress_advances_while_the_run_goes_on()
    {
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("prog");
        using (var client = new OciTestClient(registry))
        {
            await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(31, 400_000, 400_000, 400_000, 400_000, 400_000, 400_000));
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(700));
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, slowSource.Url);
        var destinationId = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // Read the saved state, as a reload of the page would, until the run ends.
        var seen = new List<long>();
        var runningWithEverythingDone = false;
        await WaitUntilAsync(
            async () =>
            {
                var saved = await ExecutionAsync(app.Services, id);
                if (saved!.Status == ExecutionStatus.Running && saved.BytesDone > 0 && (seen.Count == 0 || seen[^1] != saved.BytesDone))
                {
                    seen.Add(saved.BytesDone);
                }

                // Final counts and status are saved together: a run never reads as running with its work all done.
                runningWithEverythingDone |= saved.Status == ExecutionStatus.Running && saved.Succeeded == saved.Total && saved.Total > 0;
                return saved.IsFinished;
            },
            RunDeadline,
            () => $"execution {id} did not finish");

        var finished = await ExecutionAsync(app.Services, id);
        Assert.Equal(ExecutionStatus.Succeeded, finished!.Status);
        Assert.False(runningWithEverythingDone, "a saved state read Running with every artifact done");

        // Bytes in place advance while blobs stream; the last blob may be in place a moment before its manifest is pushed.
        Assert.True(seen.Count(b => b < finished.BytesTotal) >= 2, $"saved bytes while running: [{string.Join(", ", seen)}] of {finished.BytesTotal}");
        Assert.Equal(seen.Order().ToList(), seen);
        Assert.All(seen, bytes => Assert.True(bytes <= finished.BytesTotal));
        var task = Assert.Single(finished.Tasks);
        Assert.Equal(finished.BytesTotal, task.BytesDone);
        Assert.Equal(1, task.Attempts);
    }

    [Fact]
    public async Task Stop_ends_the_run_within_seconds_and_leaves_no_partial_image()
    {
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("stop");
        var images = new List<PushedImage>();
        using (var client = new OciTestClient(registry))
        {
            for (var i = 0; i < 3; i++)
            {
                images.Add(await client.PushImageAsync($"{project}/app{i}", "v1", ImageSpec.WithLayers(40 + i, 300_000, 300_000, 300_000, 300_000)));
            }
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(700));
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, slowSource.Url);
        var destinationId = await RegisterAsync(admin, registry.Url);
        var destinationProject = project + "-copy";
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = destinationProject, sourceId, destinationId, project);

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await WaitUntilAsync(async () => (await ExecutionAsync(app.Services, id))!.BytesDone > 0, RunDeadline, () => "no progress saved");

        using var stop = await admin.PostAsync($"/api/v1/executions/{id}/stop", null);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        var stopped = await WaitFinishedAsync(admin, id, TimeSpan.FromSeconds(15));
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());

        using var again = await admin.PostAsync($"/api/v1/executions/{id}/stop", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var execution = await ExecutionAsync(app.Services, id);
        Assert.Contains(execution!.Tasks, t => t.Status == ExecutionTaskStatus.Stopped);
        using var destination = new OciTestClient(registry);
        foreach (var image in images)
        {
            var repository = $"{destinationProject}/{image.Repository[(project.Length + 1)..]}";
            var digest = await destination.GetManifestDigestAsync(repository, "v1");
            var task = execution.Tasks.Single(t => t.DestinationRepository == repository);

            // Either the whole image arrived (its task finished first) or nothing is tagged.
            if (task.Status == ExecutionTaskStatus.Succeeded)
            {
                Assert.Equal(image.Digest, digest);
            }
            else
            {
                Assert.Equal(ExecutionTaskStatus.Stopped, task.Status);
                Assert.Null(digest);
            }
        }

        // Retry failed on a stopped execution runs what did not finish, to the end.
        using var retry = await admin.PostAsync($"/api/v1/executions/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        slowSource.ClearFaults();
        var retried = await WaitFinishedAsync(admin, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        Assert.Equal("retry", retried.GetProperty("trigger").GetString());
        Assert.Equal(id, retried.GetProperty("parentExecutionId").GetInt64());
        foreach (var image in images)
        {
            Assert.Equal(image.Digest, await destination.GetManifestDigestAsync($"{destinationProject}/{image.Repository[(project.Length + 1)..]}", "v1"));
        }
    }

    [Fact]
    public async Task An_execution_queued_behind_a_running_one_of_its_rule_can_be_stopped_before_it_starts()
    {
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("queue");
        using (var client = new OciTestClient(registry))
        {
            await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(140, 300_000, 300_000, 300_000, 300_000));
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(700));
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, slowSource.Url);
        var destinationId = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);

        using var firstResponse = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var first = (await firstResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await WaitUntilAsync(async () => (await ExecutionAsync(app.Services, first))!.Status == ExecutionStatus.Running, RunDeadline, () => "the first run did not start");
        using var secondResponse = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var second = (await secondResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.NotEqual(first, second);

        using var stop = await admin.PostAsync($"/api/v1/executions/{second}/stop", null);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        var stopped = await WaitFinishedAsync(admin, second, TimeSpan.FromSeconds(15));
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        Assert.Equal(ExecutionStatus.Running, (await ExecutionAsync(app.Services, first))!.Status);

        slowSource.ClearFaults();
        var finished = await WaitFinishedAsync(admin, first);
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
    }
}
