using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Hosting;

namespace Replication.Admin.Operations;

/// <summary>The database answers a query.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<ReplicationDbContext> contextFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
    }
}

/// <summary>Hangfire's storage answers: without it no execution starts and no schedule fires.</summary>
internal sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var connection = storage.GetConnection();
        _ = connection.GetAllItemsFromSet("recurring-jobs");
        return Task.FromResult(HealthCheckResult.Healthy());
    }
}

/// <summary>The data directory (database, job storage, keys) has room to write.</summary>
internal sealed class DataDirectorySpaceHealthCheck(StoragePaths paths, IOptionsMonitor<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var minimum = options.CurrentValue.MinimumFreeSpaceMegabytes * 1024L * 1024L;
        var free = new DriveInfo(Path.GetFullPath(paths.DataDirectory)).AvailableFreeSpace;
        return Task.FromResult(free >= minimum
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{free / (1024 * 1024)} MiB free in the data directory, below Operations:Health:MinimumFreeSpaceMegabytes ({options.CurrentValue.MinimumFreeSpaceMegabytes})."));
    }
}

/// <summary><c>Operations:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Operations:Health";

    /// <summary>Below this much free space in the data directory the app is not ready.</summary>
    public long MinimumFreeSpaceMegabytes { get; set; } = 512;

    /// <summary>How often every registry is checked (cron, UTC); empty turns the periodic check off.</summary>
    public string RegistryCheckCron { get; set; } = "*/5 * * * *";
}
