using Replication.Admin.Rules;

namespace Replication.Admin.Dashboard;

public static class DashboardExtensions
{
    /// <summary>
    /// The live dashboard and execution page: their queries, browser time, the commands (Replicate, Stop, Retry
    /// failed) carried out by the job machinery, and the execution history the rules page shows.
    /// </summary>
    public static WebApplicationBuilder AddReplicationDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<DashboardQueries>();
        builder.Services.AddScoped<BrowserTime>();
        builder.Services.AddSingleton<IExecutionCommands, LauncherExecutionCommands>();
        builder.Services.AddSingleton<WebhookConfiguration>();

        // The rules page's "last execution" column and the dry run's record of what a rule replicated.
        builder.Services.AddSingleton<IRuleExecutionHistory, RuleExecutionHistory>();
        return builder;
    }
}
