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

    /// <summary>One page of entries matching <paramref name="query"/>, newest first, with the total count.</summary>
    public async Task<AuditEntryPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = Math.Clamp(query.PageSize, 1, AuditQuery.MaxPageSize);
        var page = Math.Max(query.Page, 1);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.User))
        {
            // Case-insensitive on every provider (SQLite's LIKE is, PostgreSQL's is not).
            var user = query.User.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // The StringComparison overload does not translate to SQL; ToLower does, on both providers.
            entries = entries.Where(e => e.Who.ToLower().Contains(user));
#pragma warning restore CA1862
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            // "rule" selects rule.create, rule.update and rule.delete; "rule.delete" only that.
            var action = query.Action.Trim();
            entries = entries.Where(e => e.Action == action || e.Action.StartsWith(action + "."));
        }

        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (query.To is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }

        var total = await entries.CountAsync(cancellationToken);
        var items = await entries.OrderByDescending(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new AuditEntryPage(items, total, page, pageSize);
    }

    /// <summary>The actions recorded so far, for the action filter.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.AsNoTracking().Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>Which audit entries to show: all filters optional; <see cref="To"/> is exclusive.</summary>
public sealed record AuditQuery(string? User = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 1, int PageSize = 50)
{
    public const int MaxPageSize = 500;
}

/// <summary>One page of audit entries (page numbers start at 1) and how many match in all.</summary>
public sealed record AuditEntryPage(IReadOnlyList<AuditEntry> Items, int Total, int Page, int PageSize);
