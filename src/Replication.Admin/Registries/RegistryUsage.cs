using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;

namespace Replication.Admin.Registries;

/// <summary>
/// Who depends on a registry. The one place deletion asks (replication rules' foreign keys use
/// <c>DeleteBehavior.Restrict</c>, so the database refuses as a backstop).
/// </summary>
public static class RegistryUsage
{
    /// <summary>Names of the replication rules that use the registry as source or destination.</summary>
    public static Task<List<string>> FindRuleNamesAsync(ReplicationDbContext db, int registryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ReplicationRules.AsNoTracking()
            .Where(r => r.SourceRegistryId == registryId || r.DestinationRegistryId == registryId)
            .OrderBy(r => r.Name)
            .Select(r => r.Name)
            .ToListAsync(cancellationToken);
    }

    /// <summary>True when SQLite refused the change because of a foreign key (a rule still points at the registry).</summary>
    public static bool IsForeignKeyViolation(DbUpdateException exception) =>
        exception?.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite
        && sqlite.Message.Contains("FOREIGN KEY", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when SQLite refused the change because the name is taken.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception?.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite
        && sqlite.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase);
}
