using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Executions;
using Replication.Admin.Jobs;
using Replication.Admin.Rules;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Scheduled rules have one recurring job each, in step with the rule; immediate rules with "replicate existing" start with a full run.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class ScheduledAndInitialTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task The_recurring_job_follows_the_rule_through_create_edit_disable_and_delete()
    {
        var registry = await registries.AnonymousAsync();
        using var admin = app.CreateBasicClient();
        var id = await RegisterAsync(admin, registry.Url);
        var triggers = app.Services.GetRequiredService<RuleTriggers>();

        var ruleId = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Scheduled; r.Cron = "0 2 * * *"; r.DestinationProject = "sched-copy"; }, id, id, UniqueProject("sch"));
        Assert.Equal("0 2 * * *", triggers.GetSchedule(ruleId));
        Assert.NotNull(triggers.GetNextRun(ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => r.Cron = "30 4 * * 1-5");
        Assert.Equal("30 4 * * 1-5", triggers.GetSchedule(ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => r.Enabled = false);
        Assert.Null(triggers.GetSchedule(ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => r.Enabled = true);
        Assert.Equal("30 4 * * 1-5", triggers.GetSchedule(ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => { r.TriggerMode = TriggerMode.Manual; r.Cron = null; });
        Assert.Null(triggers.GetSchedule(ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => { r.TriggerMode = TriggerMode.Scheduled; r.Cron = "*/5 * * * *"; });
        Assert.Equal("*/5 * * * *", triggers.GetSchedule(ruleId));

        // Deleted through the API, for this rule and for another.
        await DeleteRuleAsync(app.Services, ruleId);
        Assert.Null(triggers.GetSchedule(ruleId));

        var other = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Scheduled; r.Cron = "0 3 * * *"; r.DestinationProject = "sched-copy"; }, id, id, UniqueProject("sch"));
        Assert.Equal("0 3 * * *", triggers.GetSchedule(other));
        await DeleteRuleAsync(app.Services, other);
        Assert.Null(triggers.GetSchedule(other));
    }

    [Fact]
    public async Task The_recurring_job_triggered_as_Hangfire_would_replicates_the_rule()
    {
        var registry = await registries.AnonymousAsync();
        var project = UniqueProject("cron");
        PushedImage image;
        using (var client = new OciTestClient(registry))
        {
            image = await client.PushImageAsync($"{project}/app", "nightly", ImageSpec.WithLayers(81, 30_000));
        }

        using var admin = app.CreateBasicClient();
        var id = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => { r.TriggerMode = TriggerMode.Scheduled; r.Cron = "0 0 1 1 *"; r.DestinationProject = project + "-copy"; }, id, id, project);

        app.Services.GetRequiredService<IRecurringJobManager>().Trigger(RuleTriggers.RecurringJobId(ruleId));

        Execution? execution = null;
        await WaitUntilAsync(
            async () => (execution = (await ExecutionsOfRuleAsync(app.Services, ruleId)).SingleOrDefault()) is { IsFinished: true },
            RunDeadline,
            () => $"no finished scheduled execution: {execution}");
        Assert.Equal(ExecutionTrigger.Scheduled, execution!.Trigger);
        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal("schedule", execution.TriggeredBy);
        using var check = new OciTestClient(registry);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/app", "nightly"));
    }

    [Fact]
    public async Task Enabling_an_immediate_rule_that_replicates_existing_images_starts_a_full_run()
    {
        var registry = await registries.AnonymousAsync();
        var project = UniqueProject("init");
        PushedImage image;
        using (var client = new OciTestClient(registry))
        {
            image = await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(91, 30_000));
        }

        using var admin = app.CreateBasicClient();
        var id = await RegisterAsync(admin, registry.Url);
        var ruleId = await CreateRuleAsync(
            app.Services,
            r => { r.TriggerMode = TriggerMode.Immediate; r.ReplicateExisting = true; r.Enabled = false; r.DestinationProject = project + "-copy"; },
            id,
            id,
            project);
        Assert.Empty(await ExecutionsOfRuleAsync(app.Services, ruleId));

        await UpdateRuleAsync(app.Services, ruleId, r => r.Enabled = true);
        var initial = Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId));
        Assert.Equal(ExecutionTrigger.Initial, initial.Trigger);
        var finished = await WaitFinishedAsync(admin, initial.Id);
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        using var check = new OciTestClient(registry);
        Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{project}-copy/app", "v1"));

        // Saving it again unchanged starts nothing new.
        await UpdateRuleAsync(app.Services, ruleId, r => r.Description = "edited");
        Assert.Single(await ExecutionsOfRuleAsync(app.Services, ruleId));
    }
}
