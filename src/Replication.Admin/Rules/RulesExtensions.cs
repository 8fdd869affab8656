using Microsoft.Extensions.DependencyInjection.Extensions;
using Replication.Engine;

namespace Replication.Admin.Rules;

public static class RulesExtensions
{
    /// <summary>
    /// Replication rules: the engine's planner (previews and dry runs), the store that builds the engine's scope from a
    /// saved rule, and the service pages and API share. Executions replace <see cref="IRuleExecutionHistory"/> and add
    /// <see cref="IReplicationRuleChangeHandler"/>s.
    /// </summary>
    public static WebApplicationBuilder AddReplicationRules(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddReplicationEngine();
        builder.Services.AddSingleton<ReplicationRuleStore>();
        builder.Services.TryAddSingleton<IRuleExecutionHistory, NoExecutionHistory>();
        builder.Services.AddScoped<ReplicationRuleService>();
        return builder;
    }
}
