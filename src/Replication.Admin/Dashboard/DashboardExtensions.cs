using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Replication.Admin.Dashboard;

public static class DashboardExtensions
{
    /// <summary>
    /// The live dashboard and execution page: their queries, browser time, and the commands (Replicate, Stop, Retry
    /// failed) that the job machinery provides.
    /// </summary>
    public static WebApplicationBuilder AddReplicationDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<DashboardQueries>();
        builder.Services.AddScoped<BrowserTime>();
        builder.Services.TryAddSingleton<IExecutionCommands, UnavailableExecutionCommands>();
        return builder;
    }
}
