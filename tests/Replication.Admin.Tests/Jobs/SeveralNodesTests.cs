using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Executions;
using Replication.Testing.Databases;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>One node of a cluster on a shared PostgreSQL database, with a name, a number of workers and short leases.</summary>
public sealed class ClusterNodeFactory(string connectionString, string nodeName, int workers) : JobsAppFactory
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:Replication"] = connectionString,
        ["Replication:Jobs:NodeName"] = nodeName,
        ["Replication:Jobs:WorkerCount"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Replication:Jobs:HeartbeatInterval"] = "00:00:01",
        ["Replication:Jobs:LeaseTimeout"] = "00:00:04",
        ["Replication:Engine:MaxParallelBlobs"] = "1",
        ["Replication:Engine:MaxParallelArtifacts"] = "1",
    };
}

/// <summary>Several nodes on one PostgreSQL: a portal-only node, a worker node, live progress across them, and takeover.</summary>
[Trait("Storage", "PostgreSql")]
[Collection(RegistryFixture.Collection)]
public sealed class SeveralNodesTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_run_started_on_a_portal_node_runs_on_a_worker_node_and_is_watched_live_on_the_portal()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("nodes");
        using var portal = new ClusterNodeFactory(database, "node-a", workers: 0);
        using var portalClient = portal.CreateBasicClient();
        using var worker = new ClusterNodeFactory(database, "node-b", workers: 2);
        _ = worker.Services;

        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("nodes");
        PushedImage image;
        using (var client = new OciTestClient(registry))
        {
            image = await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(81, 300_000, 300_000, 300_000, 300_000));
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(500));
        var sourceId = await RegisterAsync(portalClient, slowSource.Url);
        var destinationId = await RegisterAsync(portalClient, registry.Url);
        var ruleId = await CreateRuleAsync(portal.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);

        // The portal's own live store: what its pages read.
        var seenOnPortal = new ConcurrentQueue<ExecutionProgress>();
        using var watch = portal.Services.GetRequiredService<LiveExecutions>().Watch(p =>
        {
            seenOnPortal.Enqueue(p);
            return Task.CompletedTask;
        });

        using var accepted = await portalClient.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var finished = await WaitFinishedAsync(portalClient, id);

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal("node-b", (await ExecutionAsync(portal.Services, id))!.Node);
        var remote = seenOnPortal.Where(p => p.ExecutionId == id && p.Origin == "node-b").ToList();
        Assert.Contains(remote, p => p.Status == ExecutionStatus.Running && p.BytesDone > 0 && p.BytesDone < p.BytesTotal);
        Assert.Contains(remote, p => p.Status == ExecutionStatus.Succeeded);
        Assert.Equal(ExecutionStatus.Succeeded, portal.Services.GetRequiredService<LiveExecutions>().Latest(id)!.Status);
        using var check = new OciTestClient(registry);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/app", "v1"));

        // How late the pictures arrived is measured where they arrive, for the administrator's dashboards.
        var metrics = await portalClient.GetStringAsync("/metrics");
        var count = metrics.Split('\n').Single(line => line.StartsWith("replication_progress_relay_delay_seconds_count", StringComparison.Ordinal));
        Assert.True(double.Parse(count.Split(' ')[^1], CultureInfo.InvariantCulture) >= remote.Count, count);
    }

    [Fact]
    public async Task A_run_whose_node_went_away_is_taken_over_by_another_node_and_finished()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("takeover");
        using var portal = new ClusterNodeFactory(database, "node-a", workers: 0);
        using var portalClient = portal.CreateBasicClient();
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("take");
        var images = new List<PushedImage>();
        using (var client = new OciTestClient(registry))
        {
            for (var i = 0; i < 3; i++)
            {
                images.Add(await client.PushImageAsync($"{project}/app{i}", "v1", ImageSpec.WithLayers(90 + i, 300_000, 300_000, 300_000)));
            }
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(500));
        var sourceId = await RegisterAsync(portalClient, slowSource.Url);
        var destinationId = await RegisterAsync(portalClient, registry.Url);
        var ruleId = await CreateRuleAsync(portal.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);
        long id;
        using (var doomed = new ClusterNodeFactory(database, "node-b", workers: 2))
        {
            _ = doomed.Services;
            using var accepted = await portalClient.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
            id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            await WaitUntilAsync(
                async () => (await ExecutionAsync(portal.Services, id)) is { Status: ExecutionStatus.Running, Node: "node-b", BytesDone: > 0 },
                RunDeadline,
                () => "node-b did not start the run");
        }

        // node-b is gone mid-run; node-c takes the run over once node-b's lease runs out.
        using var rescuer = new ClusterNodeFactory(database, "node-c", workers: 2);
        _ = rescuer.Services;
        slowSource.ClearFaults();
        var finished = await WaitFinishedAsync(portalClient, id);

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        var execution = (await ExecutionAsync(portal.Services, id))!;
        Assert.Equal("node-c", execution.Node);
        Assert.True(execution.Resumes >= 1);
        Assert.Single(await ExecutionsOfRuleAsync(portal.Services, ruleId));
        using var check = new OciTestClient(registry);
        foreach (var image in images)
        {
            Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/{image.Repository[(project.Length + 1)..]}", "v1"));
        }
    }
}
