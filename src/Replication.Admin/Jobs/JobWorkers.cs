using Hangfire;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Jobs;

/// <summary>
/// This node's Hangfire server, started only when <c>Replication:Jobs:WorkerCount</c> is above 0: with 0 the node
/// serves the portal and the API (it still queues work) and the other nodes run the jobs, so the two scale apart.
/// </summary>
public sealed class JobWorkers(
    JobStorage storage,
    JobActivator activator,
    IGlobalConfiguration configuration,
    IOptions<JobOptions> options,
    ILogger<JobWorkers> logger) : IHostedService, IDisposable
{
    // Resolving Hangfire's configuration applies AddHangfire's settings (serializer) before the server starts.
    private readonly IGlobalConfiguration _configuration = configuration;

    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.WorkerCount <= 0)
        {
            logger.LogInformation("Replication:Jobs:WorkerCount is 0: this node serves the portal and runs no jobs");
            return Task.CompletedTask;
        }

        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                // At least two: a scheduled run executes inside its recurring job while another job may wait for it.
                WorkerCount = Math.Max(2, settings.WorkerCount),
                SchedulePollingInterval = settings.SchedulePollingInterval,
                ServerCheckInterval = TimeSpan.FromMinutes(1),
                ShutdownTimeout = TimeSpan.FromSeconds(10),
                Activator = activator,
            },
            storage);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            _server.SendStop();
            await _server.WaitForShutdownAsync(cancellationToken);
        }
    }

    public void Dispose() => _server?.Dispose();
}
