using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Admin.Executions;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Automatic retries seconds apart (the test settings), as minutes apart in production.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class AutomaticRetryTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task A_run_against_a_destination_that_is_down_is_retried_automatically_once_it_is_back()
    {
        var source = await registries.AnonymousAsync();
        await using var destination = await RegistryFixture.StartDedicatedAsync();
        var project = UniqueProject("down");
        PushedImage image;
        using (var client = new OciTestClient(source))
        {
            image = await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(51, 100_000));
        }

        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, source.Url);
        var destinationId = await RegisterAsync(admin, destination.Url);
        var ruleId = await CreateRuleAsync(app.Services, _ => { }, sourceId, destinationId, project);
        await destination.StopAsync();

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var failed = await WaitFinishedAsync(admin, id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error").GetString()));
        Assert.NotEqual(JsonValueKind.Null, failed.GetProperty("retryAt").ValueKind);

        var retry = Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId), e => e.Trigger == ExecutionTrigger.Retry);
        Assert.Equal(id, retry.ParentExecutionId);
        Assert.NotNull(retry.RetryAt);
        await destination.RestartAsync();

        var retried = await WaitFinishedAsync(admin, retry.Id);
        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        using var check = new OciTestClient(destination);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}/app", "v1"));
    }

    [Fact]
    public async Task Only_the_tasks_that_failed_on_a_network_fault_are_retried()
    {
        var registry = await registries.AnonymousAsync();
        await using var flakyDestination = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("flaky");
        var destinationProject = project + "-copy";
        PushedImage good, bad;
        using (var client = new OciTestClient(registry))
        {
            good = await client.PushImageAsync($"{project}/good", "v1", ImageSpec.WithLayers(61, 20_000));
            bad = await client.PushImageAsync($"{project}/bad", "v1", ImageSpec.WithLayers(62, 20_000));
        }

        // Every manifest push of one repository fails with 503 until the faults are cleared.
        flakyDestination.FailWith(RequestMatch.ManifestPut.In($"{destinationProject}/bad"), times: 1000);
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, registry.Url);
        var destinationId = await RegisterAsync(admin, flakyDestination.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = destinationProject, sourceId, destinationId, project);

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var first = await WaitFinishedAsync(admin, id);
        Assert.Equal("partiallyFailed", first.GetProperty("status").GetString());
        Assert.Equal(1, first.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, first.GetProperty("failed").GetInt32());
        var failedTask = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}/tasks?status=failed")).EnumerateArray());
        Assert.Equal($"{destinationProject}/bad:v1", failedTask.GetProperty("destination").GetString());
        Assert.True(failedTask.GetProperty("attempts").GetInt32() >= 2);

        var retry = Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId), e => e.Trigger == ExecutionTrigger.Retry);
        var retryTask = Assert.Single(retry.Tasks);
        Assert.Equal($"{destinationProject}/bad", retryTask.DestinationRepository);
        flakyDestination.ClearFaults();

        var retried = await WaitFinishedAsync(admin, retry.Id);
        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        Assert.Equal(1, retried.GetProperty("total").GetInt32());
        using var check = new OciTestClient(registry);
        Assert.Equal(good.Digest, await check.GetManifestDigestAsync($"{destinationProject}/good", "v1"));
        Assert.Equal(bad.Digest, await check.GetManifestDigestAsync($"{destinationProject}/bad", "v1"));
    }
}

/// <summary>Retries far away, so only "Retry failed" can bring them forward.</summary>
public sealed class DistantRetryJobsAppFactory : JobsAppFactory
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Replication:RetryDelays:0"] = "00:30:00",
    };
}

[Collection(RegistryFixture.Collection)]
public sealed class RetryNowTests(RegistryFixture registries, DistantRetryJobsAppFactory app) : IClassFixture<DistantRetryJobsAppFactory>
{
    [Fact]
    public async Task Retry_failed_runs_the_scheduled_retry_at_once()
    {
        var registry = await registries.AnonymousAsync();
        await using var flakyDestination = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("now");
        PushedImage image;
        using (var client = new OciTestClient(registry))
        {
            image = await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(71, 20_000));
        }

        flakyDestination.FailWith(RequestMatch.ManifestPut, times: 1000);
        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, registry.Url);
        var destinationId = await RegisterAsync(admin, flakyDestination.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = project + "-copy", sourceId, destinationId, project);

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var failed = await WaitFinishedAsync(admin, id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var retryAt = failed.GetProperty("retryAt").GetDateTime();
        Assert.True(retryAt > DateTime.UtcNow.AddMinutes(20), $"retry at {retryAt:u}");
        flakyDestination.ClearFaults();

        using var retry = await admin.PostAsync($"/api/v1/executions/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var retryBody = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("retry", retryBody.GetProperty("trigger").GetString());

        // Brought forward by the administrator: the administrator started it, not the automatic retry.
        Assert.Equal(JobsAppFactory.AdminUserName, retryBody.GetProperty("triggeredBy").GetString());
        var retried = await WaitFinishedAsync(admin, retryBody.GetProperty("id").GetInt64());
        Assert.Equal(JobsAppFactory.AdminUserName, retried.GetProperty("triggeredBy").GetString());
        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        using var check = new OciTestClient(registry);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/app", "v1"));

        // The scheduled retry was the one brought forward: no second retry execution exists.
        Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId), e => e.Trigger == ExecutionTrigger.Retry);
        using var nothingLeft = await admin.PostAsync($"/api/v1/executions/{retryBody.GetProperty("id").GetInt64()}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, nothingLeft.StatusCode);

        // The failed execution links to the retry that fixed it, and refuses a second retry instead of making one.
        var origin = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");
        Assert.Equal([retryBody.GetProperty("id").GetInt64()], origin.GetProperty("retriedBy").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(id, retried.GetProperty("parentExecutionId").GetInt64());
        using var again = await admin.PostAsync($"/api/v1/executions/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains($"already retried by execution {retryBody.GetProperty("id").GetInt64()} (succeeded)", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId), e => e.Trigger == ExecutionTrigger.Retry);
    }
}
