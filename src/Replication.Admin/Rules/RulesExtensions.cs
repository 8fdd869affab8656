namespace Replication.Admin.Rules;

public static class RulesExtensions
{
    /// <summary>Replication rules: the store that builds the engine's scope from a saved rule.</summary>
    public static WebApplicationBuilder AddReplicationRules(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ReplicationRuleStore>();
        return builder;
    }
}
