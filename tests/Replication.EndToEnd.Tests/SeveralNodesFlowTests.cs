using System.Globalization;
using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Databases;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// Two app processes on one PostgreSQL: the portal node (no workers) starts a run, the worker node runs it, and the
/// portal's execution page shows it live. The worker is killed (SIGKILL) mid-run; the portal node, restarted with
/// workers, takes the run over and finishes it; every digest at the destination is the source's.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SeveralNodesFlowTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Images = 6;
    private const string Project = "fleet";

    private RegistryProcess source = null!;
    private RegistryProcess destination = null!;
    private FaultProxy slowSource = null!;
    private string database = "";

    public async Task InitializeAsync()
    {
        database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("e2e");
        source = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        slowSource = await FaultProxy.StartAsync(source);
        using var client = new OciTestClient(source);
        for (var i = 0; i < Images; i++)
        {
            await client.PushImageAsync($"{Project}/app{i}", "v1", ImageSpec.WithLayers(seed: 300 + (i * 10), 512 << 10, 256 << 10));
        }
    }

    public async Task DisposeAsync()
    {
        await slowSource.DisposeAsync();
        await source.DisposeAsync();
        await destination.DisposeAsync();
    }

    [Fact]
    public async Task A_portal_node_watches_a_worker_node_live_and_takes_the_run_over_when_the_worker_dies()
    {
        // Each blob download late: a run long enough to watch and to kill mid-way.
        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(800));
        var portal = await AppProcess.StartAsync(Node("node-a", workers: 0));
        await using var worker = await AppProcess.StartAsync(Node("node-b", workers: 2));
        using var api = new AdminApi(portal.Url);
        var ruleId = await api.CreateRuleAsync("fleet-mirror", slowSource.Url, destination.Url, Project);
        var id = await api.ReplicateAsync(ruleId);

        // The portal's page shows the run that the worker runs, live.
        var page = await browser.NewPageAsync(portal.Url);
        await SignIn.AsAdministratorAsync(page);
        await SignIn.GoToAsync(page, $"/executions/{id}");
        var header = page.Locator(".ra-execution-title .ra-status");
        await Assertions.Expect(header).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 30_000 });
        var progress = page.Locator(".ra-header-progress .ra-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-artifacts-total", Images.ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        var before = await ReplicateFlowTests.BytesDoneAsync(progress);
        await ReplicateFlowTests.WaitUntilAsync(async () => await ReplicateFlowTests.BytesDoneAsync(progress) > before, TimeSpan.FromSeconds(30), "the portal's bytes bar never moved");
        await Assertions.Expect(page.Locator(".ra-log")).ToContainTextAsync("Copying");
        output.WriteLine($"Portal watched bytes move: {before} -> {await ReplicateFlowTests.BytesDoneAsync(progress)}");
        await page.CloseAsync();

        // The worker dies mid-run; the portal comes back with workers and takes the run over once the lease ran out.
        Assert.Equal("running", (await api.ExecutionAsync(id)).GetProperty("status").GetString());
        await worker.KillAsync();
        await portal.KillAsync();
        slowSource.ClearFaults();
        await using var rescuer = await AppProcess.StartAsync(Node("node-a", workers: 2), portal.DataDirectory);
        using var rescuerApi = new AdminApi(rescuer.Url);
        await ReplicateFlowTests.WaitUntilAsync(
            async () => (await rescuerApi.ExecutionAsync(id)).GetProperty("status").GetString() is "succeeded" or "failed" or "partiallyFailed" or "stopped",
            TimeSpan.FromSeconds(90),
            "the run was not taken over and finished");
        var finished = await rescuerApi.ExecutionAsync(id);
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(Images, finished.GetProperty("succeeded").GetInt32() + finished.GetProperty("upToDate").GetInt32());

        using var check = new OciTestClient(destination);
        using var sourceCheck = new OciTestClient(source);
        for (var i = 0; i < Images; i++)
        {
            Assert.Equal(await sourceCheck.GetManifestDigestAsync($"{Project}/app{i}", "v1"), await check.GetManifestDigestAsync($"{Project}/app{i}", "v1"));
        }

        await portal.DisposeAsync();
    }

    private Dictionary<string, string> Node(string name, int workers) => new()
    {
        ["Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:Replication"] = database,
        ["Replication:Jobs:NodeName"] = name,
        ["Replication:Jobs:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
        ["Replication:Jobs:QueuePollInterval"] = "00:00:00.200",
        ["Replication:Jobs:HeartbeatInterval"] = "00:00:01",
        ["Replication:Jobs:LeaseTimeout"] = "00:00:05",
        ["Replication:Engine:MaxParallelArtifacts"] = "1",
        ["Replication:Engine:MaxParallelBlobs"] = "1",
    };
}
