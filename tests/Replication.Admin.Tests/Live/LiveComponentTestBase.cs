using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Dashboard;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Jobs;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using Replication.Admin.Tests.Components;
using Replication.Admin.Webhooks;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Tests.Live;

/// <summary>
/// The dashboard, execution page and their pieces under bUnit: the real <see cref="ExecutionNotifier"/>, queries and
/// database (registered by the base); only the job machinery behind Replicate, Stop and Retry failed is a recorder (Hangfire does not run here).
/// </summary>
public abstract class LiveComponentTestBase : ComponentTestBase
{
    protected LiveComponentTestBase()
    {
        Services.AddSingleton<IExecutionCommands>(Commands);
        Services.AddSingleton<RegistryWebhooks>();
        Services.AddSingleton<WebhookConfiguration>();
    }

    protected RecordingCommands Commands { get; } = new();

    protected ExecutionNotifier Notifier => Services.GetRequiredService<ExecutionNotifier>();

    protected LiveExecutions Live => Services.GetRequiredService<LiveExecutions>();

    /// <summary>Two registries and a manual rule between them; returns the rule's id.</summary>
    protected async Task<int> CreateRuleAsync(string name = "mirror-team")
    {
        var source = await Registries.CreateAsync(new RegistryEndpointInput { Name = $"{name}-src", Url = "http://127.0.0.1:5000" }, "alice");
        var destination = await Registries.CreateAsync(new RegistryEndpointInput { Name = $"{name}-dst", Url = "http://127.0.0.1:5001" }, "alice");
        await using var db = await Db();
        var rule = new ReplicationRule
        {
            Name = name,
            SourceRegistryId = source.Registry!.Id,
            SourceProject = "team",
            DestinationRegistryId = destination.Registry!.Id,
            DestinationProject = "",
            TriggerMode = TriggerMode.Manual,
            Enabled = true,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "alice",
            UpdatedAt = DateTimeOffset.UtcNow,
            UpdatedBy = "alice",
        };
        db.ReplicationRules.Add(rule);
        await db.SaveChangesAsync();
        return rule.Id;
    }

    /// <summary>Saves an execution as the job would have; returns it with its id.</summary>
    protected async Task<Execution> SaveExecutionAsync(int ruleId, ExecutionStatus status, Action<Execution>? configure = null, int tasks = 0)
    {
        var now = DateTimeOffset.UtcNow;
        var execution = new Execution
        {
            RuleId = ruleId,
            Trigger = ExecutionTrigger.Manual,
            Status = status,
            TriggeredBy = "alice",
            CreatedAt = now.AddSeconds(-30),
            StartedAt = status == ExecutionStatus.Pending ? null : now.AddSeconds(-20),
            FinishedAt = status.IsFinished() ? now.AddSeconds(-5) : null,
            Planned = tasks > 0,
            Total = tasks,
        };
        for (var i = 0; i < tasks; i++)
        {
            execution.Tasks.Add(new ExecutionTask
            {
                Operation = TaskOperation.Copy,
                Kind = ArtifactKind.Image,
                SourceRepository = $"team/app{i}",
                DestinationRepository = $"team/app{i}",
                Tag = "v1",
                Digest = $"sha256:{i:x2}{new string('a', 62)}",
                Status = ExecutionTaskStatus.Pending,
                BytesTotal = 1 << 20,
            });
        }

        configure?.Invoke(execution);
        await using var db = await Db();
        db.Executions.Add(execution);
        await db.SaveChangesAsync();
        return execution;
    }

    protected async Task<ReplicationDbContext> Db() =>
        await Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();

    /// <summary>A live picture of <paramref name="execution"/>, as the job publishes it.</summary>
    protected static ExecutionProgress Progress(Execution execution, ExecutionStatus status, Func<ExecutionProgress, ExecutionProgress>? change = null)
    {
        var progress = new ExecutionProgress
        {
            ExecutionId = execution.Id,
            RuleId = execution.RuleId,
            Trigger = execution.Trigger,
            Status = status,
            Total = execution.Total,
            StartedAt = execution.StartedAt,
        };
        return change is null ? progress : change(progress);
    }

    /// <summary>Publishes on a thread of its own, as a running job does.</summary>
    protected Task PublishAsync(ExecutionProgress progress) => Task.Run(() => Live.PublishAsync(progress));

    protected static IElement ButtonOrNull(IRenderedComponent<IComponent> host, string text) =>
        host.FindAll("button").FirstOrDefault(b => b.TextContent.Trim() == text)!;
}

/// <summary>Records what the pages asked for and answers as the launcher would.</summary>
public sealed class RecordingCommands : IExecutionCommands
{
    public List<string> Calls { get; } = [];

    /// <summary>The id a Replicate or Retry failed answers with.</summary>
    public long NextExecutionId { get; set; } = 4242;

    public Task<ExecutionCommandResult> ReplicateAsync(int ruleId, string user, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add($"replicate {ruleId} by {user}");
        }

        return Task.FromResult(new ExecutionCommandResult(true, NextExecutionId, $"Execution {NextExecutionId} started."));
    }

    public Task<ExecutionCommandResult> StopAsync(long executionId, string user, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add($"stop {executionId} by {user}");
        }

        return Task.FromResult(new ExecutionCommandResult(true, executionId, $"Execution {executionId} is stopping."));
    }

    public Task<ExecutionCommandResult> RetryFailedAsync(long executionId, string user, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add($"retry {executionId} by {user}");
        }

        return Task.FromResult(new ExecutionCommandResult(true, NextExecutionId, $"Retry execution {NextExecutionId} started."));
    }
}
