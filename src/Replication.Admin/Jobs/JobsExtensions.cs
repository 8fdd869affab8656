using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Hosting;
using Replication.Admin.Rules;
using Replication.Admin.Security;
using Replication.Admin.Webhooks;
using Replication.Engine;

namespace Replication.Admin.Jobs;

public static class JobsExtensions
{
    public const string DashboardPath = "/hangfire";

    /// <summary>
    /// Hangfire in process (SQLite storage in the data directory), the replication engine, the execution job, its
    /// launcher, triggers (schedules, initial runs, registry events), crash recovery and history retention.
    /// </summary>
    public static WebApplicationBuilder AddReplicationJobs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<JobOptions>().Bind(configuration.GetSection(JobOptions.SectionName));
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName));
        services.AddReplicationEngine();
        services.AddOptions<ReplicationOptions>().Bind(configuration.GetSection("Replication:Engine"));

        // This host's own storage and activator, registered before AddHangfire (which only adds them when missing):
        // Hangfire's static JobStorage.Current and JobActivator.Current would mix up two hosts in one test process.
        services.AddSingleton<JobStorage>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<JobOptions>>().Value;

            // A job still running after this is handed out again; executions guard against running twice.
            return provider.GetRequiredService<ReplicationStorage>().CreateJobStorage(options.QueuePollInterval, TimeSpan.FromHours(2));
        });
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>())));
        services.AddHostedService<JobWorkers>();

        services.AddSingleton<IExecutionQueue, HangfireExecutionQueue>();
        services.AddSingleton<RegistryWebhooks>();
        services.AddSingleton<RuleTriggers>();
        services.AddSingleton<IReplicationRuleChangeHandler>(provider => provider.GetRequiredService<RuleTriggers>());
        services.AddTransient<ExecutionJob>();
        services.AddTransient<ScheduledReplicationJob>();
        services.AddTransient<ExecutionHistoryPruner>();
        services.AddHostedService<RecurringJobsStartup>();
        return builder;
    }

    /// <summary><c>/hangfire</c>: Hangfire's own dashboard, for administrators signed in to the portal.</summary>
    public static WebApplication MapReplicationJobs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new AdministratorDashboardAuthorization()],
            DashboardTitle = "Replication Admin · jobs",
            AppPath = "/",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(Policies.Administrator);
        return app;
    }
}

/// <summary>Lets only portal administrators into Hangfire's dashboard (Viewers and anonymous users are refused).</summary>
public sealed class AdministratorDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Administrator);
    }
}
