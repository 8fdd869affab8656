namespace Replication.Admin.RuleHistory;

public static class RuleHistoryExtensions
{
    /// <summary>A rule's page: its executions, success rate and durations.</summary>
    public static WebApplicationBuilder AddReplicationRuleHistory(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<RuleHistoryQueries>();
        return builder;
    }
}
