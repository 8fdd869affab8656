using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Replication.Admin.Data;

/// <summary>
/// Applies pending migrations before the server accepts requests (hosted services start first). EF Core takes a
/// database-wide lock while it migrates, so of several nodes starting together one migrates and the others wait.
/// A database it cannot reach, or one migrated by a newer version, stops the node at start with what to do.
/// </summary>
public sealed class DatabaseMigrator(ReplicationStorage storage, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = storage.CreateMigrationContext();
        try
        {
            var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
            var newer = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Where(m => !known.Contains(m)).ToList();
            if (newer.Count > 0)
            {
                throw new StorageConfigurationException(
                    $"The {storage.Describe()} was migrated by a newer version of Replication Admin (migration {newer[^1]}). Run that version or a newer one; this one does not know its schema.");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} database migration(s) to the {Database}: {Migrations}", pending.Count, storage.Describe(), string.Join(", ", pending));
            }

            await db.Database.MigrateAsync(cancellationToken);
            await storage.PrepareAsync(db, cancellationToken);
        }
        catch (DbException exception)
        {
            throw new StorageConfigurationException($"The {storage.Describe()} cannot be used: {exception.Message.TrimEnd('.')}. Check Storage:Provider and ConnectionStrings:Replication.", exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
