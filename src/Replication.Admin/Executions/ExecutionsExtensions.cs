using Replication.Admin.Rules;

namespace Replication.Admin.Executions;

public static class ExecutionsExtensions
{
    /// <summary>
    /// The executions module: the launcher (start, stop, retry), the lifecycle that commits each transition, the rule
    /// turns this process holds, crash recovery, the read side and live progress (notifier and live store). Running
    /// them is the jobs feature's part, through <see cref="IExecutionQueue"/>.
    /// </summary>
    public static WebApplicationBuilder AddReplicationExecutions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ExecutionOptions>().Bind(builder.Configuration.GetSection(ExecutionOptions.SectionName));
        builder.Services.AddSingleton<ExecutionNotifier>();
        builder.Services.AddOptions<ExecutionLeaseOptions>().Bind(builder.Configuration.GetSection("Replication:Jobs"));
        builder.Services.AddSingleton<ExecutionNode>();
        builder.Services.AddSingleton<LiveExecutions>();
        builder.Services.AddSingleton<ExecutionQueries>();
        builder.Services.AddSingleton<RunningExecutions>();
        builder.Services.AddSingleton<ExecutionLifecycle>();
        builder.Services.AddSingleton<ExecutionLauncher>();
        builder.Services.AddSingleton<IRuleExecutionHistory, RuleExecutionHistory>();
        builder.Services.AddHostedService<ExecutionRecovery>();
        return builder;
    }
}
