using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Tests.Host;
using Replication.Admin.Tests.Infrastructure;
using Replication.Testing.App;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>The app process is killed mid-run and started again on the same data directory: the run completes.</summary>
[Collection(RegistryFixture.Collection)]
[Trait("Storage", "Sqlite")]
public sealed class CrashRecoveryTests(RegistryFixture registries)
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Replication:Engine:MaxParallelBlobs"] = "1",
        ["Replication:Engine:MaxParallelArtifacts"] = "1",
        ["Replication:Jobs:QueuePollInterval"] = "00:00:00.200",
    };

    [Fact]
    public async Task A_run_interrupted_by_a_crash_resumes_after_the_restart_and_every_digest_is_right()
    {
        var registry = await registries.AnonymousAsync();
        await using var slowSource = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("crash");
        var images = new List<PushedImage>();
        using (var client = new OciTestClient(registry))
        {
            for (var i = 0; i < 3; i++)
            {
                images.Add(await client.PushImageAsync($"{project}/app{i}", "v1", ImageSpec.WithLayers(120 + i, 300_000, 300_000, 300_000, 300_000)));
            }
        }

        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromMilliseconds(600));
        using var data = new TempDirectory();
        long id;
        var first = await AppProcess.StartAsync(Settings, data.Path);
        try
        {
            using var admin = Client(first);
            var sourceId = await RegisterAsync(admin, slowSource.Url);
            var destinationId = await RegisterAsync(admin, registry.Url);
            var ruleId = await CreateRuleAsync(admin, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);
            using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
            id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            await WaitUntilAsync(
                async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}")).GetProperty("bytesDone").GetInt64() > 0,
                RunDeadline,
                () => "no progress saved before the crash");
            var beforeCrash = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");
            Assert.Equal("running", beforeCrash.GetProperty("status").GetString());
        }
        finally
        {
            await first.KillAsync();
            await first.DisposeAsync();
        }

        await using var second = await AppProcess.StartAsync(Settings, data.Path);
        using (var admin = Client(second))
        {
            var finished = await WaitFinishedAsync(admin, id);
            Assert.True(finished.GetProperty("status").GetString() == "succeeded", $"{finished}\n{second.Output}");
            Assert.Equal(3, finished.GetProperty("succeeded").GetInt32());
        }

        using var check = new OciTestClient(registry);
        foreach (var image in images)
        {
            Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/{image.Repository[(project.Length + 1)..]}", "v1"));
        }

        await using var db = Open(data.Path);
        var execution = await db.Executions.SingleAsync(e => e.Id == id);
        Assert.Equal(1, execution.Resumes);
        Assert.Equal(3, await db.ReplicatedArtifacts.CountAsync(a => a.RuleId == execution.RuleId));
        SqliteConnection.ClearAllPools();
    }

    private static HttpClient Client(AppProcess app)
    {
        var client = new HttpClient { BaseAddress = app.Url };
        client.DefaultRequestHeaders.Authorization = AdminAppFactory.BasicHeader(AppProcess.AdminUserName, AppProcess.AdminPassword);
        return client;
    }

    private static ReplicationDbContext Open(string dataDirectory) =>
        new(new DbContextOptionsBuilder<ReplicationDbContext>()
            .UseSqlite($"Data Source={Path.Combine(dataDirectory, "replication.db")};Foreign Keys=True")
            .Options);
}
