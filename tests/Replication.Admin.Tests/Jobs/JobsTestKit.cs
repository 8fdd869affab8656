using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Shared steps of the job tests: registries and rules set up as an administrator would, and waits with deadlines.</summary>
internal static class JobsTestKit
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    public static string UniqueProject(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)];

    /// <summary>Registers a registry through the API; returns its id.</summary>
    public static async Task<int> RegisterAsync(HttpClient admin, string url, string? userName = null, string? password = null)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new
        {
            name = UniqueProject("reg-"),
            url,
            type = "docker-registry",
            username = userName,
            password,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>Creates a rule through the rules service, as the API and the dialog do, so its triggers follow; returns its id.</summary>
    public static async Task<int> CreateRuleAsync(IServiceProvider services, Action<ReplicationRule> configure, int sourceId, int destinationId, string sourceProject)
    {
        var rule = new ReplicationRule
        {
            Name = UniqueProject("rule-"),
            SourceRegistryId = sourceId,
            SourceProject = sourceProject,
            DestinationRegistryId = destinationId,
            DestinationProject = "",
            TriggerMode = TriggerMode.Manual,
            Enabled = true,
        };
        configure(rule);
        await using var scope = services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().CreateAsync(ReplicationRuleInput.From(ReplicationRuleView.From(rule)), "test");
        Assert.True(saved.Rule is not null, $"the rule was refused: {string.Join("; ", saved.Errors.SelectMany(e => e.Value))}");
        return saved.Rule!.Id;
    }

    /// <summary>Changes a saved rule through the rules service.</summary>
    public static async Task UpdateRuleAsync(IServiceProvider services, int ruleId, Action<ReplicationRule> change)
    {
        ReplicationRule rule;
        await using (var db = await Factory(services).CreateDbContextAsync())
        {
            rule = await db.ReplicationRules.AsNoTracking().SingleAsync(r => r.Id == ruleId);
        }

        change(rule);
        await using var scope = services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().UpdateAsync(ruleId, ReplicationRuleInput.From(ReplicationRuleView.From(rule)), "test");
        Assert.True(saved.Rule is not null, "the rule change was refused");
    }

    public static async Task DeleteRuleAsync(IServiceProvider services, int ruleId)
    {
        await using var scope = services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().DeleteAsync(ruleId, "test"));
    }

    public static async Task<List<Execution>> ExecutionsOfRuleAsync(IServiceProvider services, int ruleId)
    {
        await using var db = await Factory(services).CreateDbContextAsync();
        return await db.Executions.AsNoTracking().Include(e => e.Tasks).Where(e => e.RuleId == ruleId).OrderBy(e => e.Id).ToListAsync();
    }

    public static async Task<Execution?> ExecutionAsync(IServiceProvider services, long id)
    {
        await using var db = await Factory(services).CreateDbContextAsync();
        return await db.Executions.AsNoTracking().Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == id);
    }

    /// <summary>Polls the API until the execution has finished; returns its JSON.</summary>
    public static async Task<JsonElement> WaitFinishedAsync(HttpClient client, long id, TimeSpan? deadline = null)
    {
        JsonElement last = default;
        await WaitUntilAsync(
            async () =>
            {
                last = await client.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}");
                return last.GetProperty("status").GetString() is "succeeded" or "failed" or "partiallyFailed" or "stopped";
            },
            deadline ?? RunDeadline,
            () => $"execution {id} did not finish: {last}");
        return last;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails with <paramref name="describe"/> at the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < deadline, $"Gave up after {deadline.TotalSeconds:0} s: {describe()}");
            await Task.Delay(100);
        }
    }

    private static IDbContextFactory<ReplicationDbContext> Factory(IServiceProvider services) =>
        services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();
}
