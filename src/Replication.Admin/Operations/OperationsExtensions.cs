using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using OpenTelemetry.Metrics;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Registry.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Replication.Admin.Registries;

namespace Replication.Admin.Operations;

public static class OperationsExtensions
{
    public const string LivePath = "/healthz/live";
    public const string ReadyPath = "/healthz/ready";
    public const string MetricsPath = "/metrics";
    public const string MetricsPolicy = "MetricsReader";
    private const string ReadyTag = "ready";

    /// <summary>Health of the app (<c>/healthz</c>) and of the registries it talks to (checked when saved and periodically).</summary>
    public static WebApplicationBuilder AddReplicationOperations(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<HealthOptions>().Bind(builder.Configuration.GetSection(HealthOptions.SectionName));
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<JobStorageHealthCheck>("job-storage", tags: [ReadyTag])
            .AddCheck<DataDirectorySpaceHealthCheck>("data-directory-space", tags: [ReadyTag]);

        services.AddSingleton<RegistryHealthMonitor>();
        services.AddSingleton<IRegistrySaveListener>(provider => provider.GetRequiredService<RegistryHealthMonitor>());
        services.AddHostedService(provider => provider.GetRequiredService<RegistryHealthMonitor>());
        services.AddTransient<RegistryHealthJob>();
        services.AddHostedService<RegistryHealthSchedule>();

        // Metrics: the registry client's and the app's meters (and the cross-node progress delay), exported in Prometheus' text format at /metrics.
        services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.SectionName));
        services.AddSingleton<ReplicationMetrics>();
        services.AddSingleton<IExecutionOutcomeHandler>(provider => provider.GetRequiredService<ReplicationMetrics>());
        services.AddHostedService<ReplicationMetricsSampler>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RegistryMetrics.MeterName, ReplicationMetrics.MeterName, PostgreSqlProgressRelay.MeterName)
            .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        services.Configure<AuthorizationOptions>(options => options.AddPolicy(MetricsPolicy, policy => policy.RequireAssertion(context =>
            context.User.Identity?.IsAuthenticated == true
            || (context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)))));
        return builder;
    }

    /// <summary>
    /// <c>/healthz/live</c> (the process answers) and <c>/healthz/ready</c> (database, job storage, free space): anonymous,
    /// and terse, "Healthy" or 503 "Unhealthy", so they tell a stranger nothing.
    /// </summary>
    public static WebApplication MapReplicationOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous().ExcludeFromDescription();

        // Loopback (default): a Prometheus on the same machine scrapes without credentials; elsewhere it needs an
        // account or API token. Behind a reverse proxy on the same machine, list it in Security:TrustedProxies.
        var metrics = app.MapPrometheusScrapingEndpoint(MetricsPath);
        _ = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Access switch
        {
            MetricsAccess.Anonymous => metrics.AllowAnonymous(),
            MetricsAccess.Authenticated => metrics.RequireAuthorization(),
            _ => metrics.RequireAuthorization(MetricsPolicy),
        };
        return app;
    }

    /// <summary>Keeps the periodic registry check's recurring job in step with <see cref="HealthOptions.RegistryCheckCron"/>.</summary>
    private sealed class RegistryHealthSchedule(IRecurringJobManager recurringJobs, IOptions<HealthOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var cron = options.Value.RegistryCheckCron;
            if (string.IsNullOrWhiteSpace(cron))
            {
                recurringJobs.RemoveIfExists(RegistryHealthJob.Id);
            }
            else
            {
                recurringJobs.AddOrUpdate<RegistryHealthJob>(RegistryHealthJob.Id, job => job.CheckAllAsync(CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
