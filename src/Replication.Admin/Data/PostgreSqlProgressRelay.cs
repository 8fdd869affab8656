using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Npgsql;
using Replication.Admin.Executions;

namespace Replication.Admin.Data;

/// <summary>
/// Live progress across nodes on PostgreSQL: every picture this node publishes goes out with <c>pg_notify</c>, and
/// every picture another node sent comes in through <c>LISTEN</c> and is published here, so a browser on one node
/// watches, live, an execution that runs on another. Pictures ride in a notification (at most 8000 bytes): one too
/// large goes without its log lines, then without its tasks; the saved log fills those in. On SQLite it does nothing.
/// </summary>
public sealed class PostgreSqlProgressRelay(
    ReplicationStorage storage,
    ExecutionNotifier notifier,
    ExecutionNode node,
    ILogger<PostgreSqlProgressRelay> logger) : BackgroundService
{
    public const string Channel = "replication_progress";

    /// <summary>The relay's meter: how late other nodes' progress arrives here.</summary>
    public const string MeterName = "Replication.Admin.Nodes";

    private const int MaxPayloadBytes = 7900;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // One meter per process, as the app's other meters (several hosts share a test process).
    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Delay = Meter.CreateHistogram(
        "replication.progress.relay_delay", "s", "From another node sending an execution's progress to this node receiving it (clocks in sync assumed).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!storage.IsShared)
        {
            return;
        }

        await using var dataSource = NpgsqlDataSource.Create(storage.ConnectionString);
        using var outgoing = notifier.Subscribe(progress => progress.Origin is null ? SendAsync(dataSource, progress, stoppingToken) : Task.CompletedTask);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(dataSource, stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // The database went away for a moment: pages on this node see other nodes' runs from saved state until it is back.
                logger.LogWarning(exception, "Listening for other nodes' progress failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task ListenAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) => Receive(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }

    private void Receive(string payload)
    {
        RelayedProgress? relayed;
        try
        {
            relayed = JsonSerializer.Deserialize<RelayedProgress>(payload, Json);
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "A progress notification could not be read");
            return;
        }

        if (relayed?.Progress is { } progress && progress.Origin != node.Name)
        {
            Delay.Record(Math.Max(0, (DateTimeOffset.UtcNow - relayed.SentAt).TotalSeconds));

            // Handed off: the listening connection must not wait for pages to render.
            _ = notifier.PublishAsync(progress);
        }
    }

    private async Task SendAsync(NpgsqlDataSource dataSource, ExecutionProgress progress, CancellationToken cancellationToken)
    {
        var outgoing = progress with { Origin = node.Name };
        var payload = Serialize(outgoing);
        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            payload = Serialize(outgoing with { NewLogLines = [] });
        }

        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            payload = Serialize(outgoing with { NewLogLines = [], Tasks = [] });
        }

        try
        {
            await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @payload)");
            command.Parameters.AddWithValue("channel", Channel);
            command.Parameters.AddWithValue("payload", payload);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            // Live pictures are best effort; the saved state is what counts.
            logger.LogDebug(exception, "Progress of execution {ExecutionId} was not sent to other nodes", progress.ExecutionId);
        }
    }

    private static string Serialize(ExecutionProgress progress) => JsonSerializer.Serialize(new RelayedProgress(DateTimeOffset.UtcNow, progress), Json);

    /// <summary>A picture as it travels between nodes, with when it was sent.</summary>
    private sealed record RelayedProgress(DateTimeOffset SentAt, ExecutionProgress Progress);
}
