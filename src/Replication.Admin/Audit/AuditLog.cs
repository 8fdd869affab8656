using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;

namespace Replication.Admin.Audit;

/// <summary>Appends to the audit trail. Callers pass details already free of secrets.</summary>
public sealed class AuditLog(IDbContextFactory<ReplicationDbContext> contextFactory, TimeProvider clock)
{
    private const int MaxDetailsLength = 4000;

    public async Task RecordAsync(string who, string action, string target, string details = "", CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Who = Truncate(who, 256),
            Action = action,
            Target = Truncate(target, 512),
            Details = Truncate(details, MaxDetailsLength),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> RecentAsync(int count = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
