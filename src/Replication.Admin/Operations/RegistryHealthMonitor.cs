using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Registries;

namespace Replication.Admin.Operations;

/// <summary>Told when a registry that was not unhealthy is found unhealthy (alerts).</summary>
public interface IRegistryHealthHandler
{
    Task OnBecameUnhealthyAsync(int registryId, string registryName, string message, CancellationToken cancellationToken);
}

/// <summary>
/// Checks registries (Test Connection, recorded as their status): each one soon after it is saved, and all of them on
/// <see cref="HealthOptions.RegistryCheckCron"/> (a recurring job). A registry that turns unhealthy is reported once,
/// at the transition, to the <see cref="IRegistryHealthHandler"/>s.
/// </summary>
public sealed class RegistryHealthMonitor(
    IServiceScopeFactory scopes,
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IEnumerable<IRegistryHealthHandler> handlers,
    ILogger<RegistryHealthMonitor> logger) : BackgroundService, IRegistrySaveListener
{
    private readonly Channel<int> _saved = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Raised after a check was recorded (pages reload the registry's status).</summary>
    public event Action<int>? Checked;

    /// <summary>A registry was created or changed: check it in the background, so saving never waits on the network.</summary>
    public void OnSaved(int registryId) => _saved.Writer.TryWrite(registryId);

    /// <summary>Checks every registry; what the recurring job runs.</summary>
    public async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ids = await db.RegistryEndpoints.AsNoTracking().Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            await CheckAsync(id, cancellationToken);
        }
    }

    /// <summary>Checks one registry and records its status; null when it no longer exists.</summary>
    public async Task<RegistryStatus?> CheckAsync(int registryId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var registries = scope.ServiceProvider.GetRequiredService<RegistryService>();
        var before = await registries.GetAsync(registryId, cancellationToken);
        if (before is null)
        {
            return null;
        }

        var result = await registries.PingAsync(registryId, cancellationToken);
        if (result is null)
        {
            return null;
        }

        var status = result.Ok ? RegistryStatus.Healthy : RegistryStatus.Unhealthy;
        Checked?.Invoke(registryId);
        if (status == RegistryStatus.Unhealthy && before.Status != RegistryStatus.Unhealthy)
        {
            logger.LogWarning("Registry {Registry} became unhealthy: {Message}", before.Name, result.Message);
            foreach (var handler in handlers)
            {
                try
                {
                    await handler.OnBecameUnhealthyAsync(registryId, before.Name, result.Message, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogError(exception, "{Handler} failed on registry {Registry} becoming unhealthy", handler.GetType().Name, before.Name);
                }
            }
        }

        return status;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _saved.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(id, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Checking registry {RegistryId} after it was saved failed", id);
            }
        }
    }
}

/// <summary>The recurring job: checks every registry.</summary>
public sealed class RegistryHealthJob(RegistryHealthMonitor monitor)
{
    public const string Id = "registries:health";

    [Hangfire.AutomaticRetry(Attempts = 0)]
    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task CheckAllAsync(CancellationToken cancellationToken) => monitor.CheckAllAsync(cancellationToken);
}
