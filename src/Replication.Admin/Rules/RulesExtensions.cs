using Replication.Engine;

namespace Replication.Admin.Rules;

public static class RulesExtensions
{
    /// <summary>
    /// Replication rules: the engine's planner (previews and dry runs), the store that builds the engine's scope from a
    /// saved rule, and the service pages and API share. Executions provide <see cref="IRuleExecutionHistory"/>; jobs
    /// add the <see cref="IReplicationRuleChangeHandler"/> that keeps schedules and initial syncs in step.
    /// </summary>
    public static WebApplicationBuilder AddReplicationRules(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddReplicationEngine();
        builder.Services.AddOptions<RuleScheduleOptions>().Bind(builder.Configuration.GetSection(RuleScheduleOptions.SectionName));
        builder.Services.AddSingleton<ReplicationRuleStore>();
        builder.Services.AddScoped<ReplicationRuleService>();
        return builder;
    }
}
