namespace Replication.Admin.Dashboard;

public static class DashboardExtensions
{
    /// <summary>
    /// The live dashboard and execution page: their queries, browser time, the commands (Replicate, Stop, Retry
    /// failed) carried out by the job machinery.
    /// </summary>
    public static WebApplicationBuilder AddReplicationDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<DashboardQueries>();
        builder.Services.AddScoped<BrowserTime>();
        builder.Services.AddSingleton<IExecutionCommands, LauncherExecutionCommands>();

        return builder;
    }
}
