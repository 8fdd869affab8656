using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Operations;
using Replication.Admin.Tests.Host;
using Replication.Testing.Registries;

namespace Replication.Admin.Tests.Operations;

/// <summary>Registries are checked when saved (no Test Connection needed) and by a recurring job; the page's status comes from it.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class RegistryHealthTests(RegistryFixture registries, AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task A_saved_registry_is_checked_without_test_connection()
    {
        var registry = await registries.AnonymousAsync();
        using var admin = app.CreateBasicClient();

        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "health-" + Guid.NewGuid().ToString("N")[..6], url = registry.Url, type = "docker-registry" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var checkedOne = await PollAsync(admin, id, r => r.GetProperty("status").GetString() != "unknown");
        Assert.Equal("healthy", checkedOne.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, checkedOne.GetProperty("lastCheckedAt").ValueKind);
    }

    [Fact]
    public async Task An_unreachable_registry_is_unhealthy_with_the_cause_and_the_periodic_check_keeps_it_current()
    {
        var port = FreePort();
        using var admin = app.CreateBasicClient();
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "down-" + Guid.NewGuid().ToString("N")[..6], url = $"http://127.0.0.1:{port}", type = "docker-registry" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var down = await PollAsync(admin, id, r => r.GetProperty("status").GetString() == "unhealthy");
        var firstCheck = down.GetProperty("lastCheckedAt").GetDateTimeOffset();
        var monitor = app.Services.GetRequiredService<RegistryHealthMonitor>();

        await monitor.CheckAllAsync(CancellationToken.None);

        var again = await PollAsync(admin, id, r => r.GetProperty("lastCheckedAt").GetDateTimeOffset() > firstCheck);
        Assert.Equal("unhealthy", again.GetProperty("status").GetString());
        var registry = await app.Services.CreateScope().ServiceProvider.GetRequiredService<Replication.Admin.Registries.RegistryService>().GetAsync(id);
        Assert.Matches("(?i)unreachable|refused|connect", registry!.LastCheckMessage!);
    }

    [Fact]
    public void The_periodic_check_is_a_recurring_job_on_the_configured_schedule()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();

        var job = connection.GetRecurringJobs().SingleOrDefault(j => j.Id == RegistryHealthJob.Id);

        Assert.NotNull(job);
        Assert.Equal(new HealthOptions().RegistryCheckCron, job.Cron);
    }

    private static async Task<JsonElement> PollAsync(HttpClient admin, int id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var registry = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/registries/{id}");
            if (done(registry))
            {
                return registry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"registry {id} did not get there in time: {registry}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
