using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>An execution's log and a task's own log download as text files with each task's start, duration and throughput.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class ExecutionLogDownloadTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task The_execution_log_and_a_task_log_download_as_text_with_timing_per_task()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = UniqueProject("log");
        using var sourceClient = new OciTestClient(source);
        await sourceClient.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(21, 120_000));
        await sourceClient.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(22, 80_000));
        using var admin = app.CreateBasicClient();
        var ruleId = await CreateRuleAsync(app.Services, _ => { }, await RegisterAsync(admin, source.Url), await RegisterAsync(admin, destination.Url, destination.UserName, destination.Password), project);
        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await WaitFinishedAsync(admin, id);

        using var log = await admin.GetAsync($"/api/v1/executions/{id}/log");

        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        Assert.Equal("text/plain", log.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", log.Content.Headers.ContentDisposition?.DispositionType);
        var text = await log.Content.ReadAsStringAsync();
        Assert.StartsWith($"Execution {id} of rule", text, StringComparison.Ordinal);
        Assert.Contains($"copy {project}/app:v1 -> {project}/app:v1 · succeeded · started ", text, StringComparison.Ordinal);
        Assert.Contains(" transferred at ", text, StringComparison.Ordinal);

        var tasks = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}/tasks");
        var taskId = tasks[0].GetProperty("id").GetInt64();
        using var taskLog = await admin.GetAsync($"/api/v1/executions/{id}/tasks/{taskId}/log");
        Assert.Equal(HttpStatusCode.OK, taskLog.StatusCode);
        var taskText = await taskLog.Content.ReadAsStringAsync();
        Assert.StartsWith($"== task {taskId}: copy", taskText, StringComparison.Ordinal);
        Assert.True(taskText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 1, taskText);

        using var missing = await admin.GetAsync($"/api/v1/executions/{id}/tasks/{taskId + 1000}/log");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var anonymous = app.CreateAnonymousClient();
        using var refused = await anonymous.GetAsync($"/api/v1/executions/{id}/log");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
