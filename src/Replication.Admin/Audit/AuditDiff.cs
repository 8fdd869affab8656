namespace Replication.Admin.Audit;

/// <summary>What an edit changed, for the audit trail: each field whose text differs, with its old and new text.</summary>
public static class AuditDiff
{
    /// <summary>"field: 'old' -> 'new'" for each key of <paramref name="before"/> whose text differs in <paramref name="after"/>.</summary>
    public static List<string> Changes(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return before.Where(pair => !string.Equals(pair.Value, after[pair.Key], StringComparison.Ordinal))
            .Select(pair => $"{pair.Key}: '{pair.Value}' -> '{after[pair.Key]}'")
            .ToList();
    }

    /// <summary>The details of an update entry: the changes, or "no changes".</summary>
    public static string Details(IReadOnlyCollection<string> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return changes.Count == 0 ? "no changes" : string.Join("; ", changes);
    }
}
