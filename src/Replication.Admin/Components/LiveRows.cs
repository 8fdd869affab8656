namespace Replication.Admin.Components;

/// <summary>
/// The items of a live table, each in a holder kept from update to update. MudTable keys its rows by item, and a record
/// that changes with every live update is a new key each time: its row's elements were replaced at every update, and a
/// click arriving with one (pressed on the old link, released on the new) was lost. A holder per key keeps the row.
/// </summary>
public sealed class LiveRows<TKey, TItem>(Func<TItem, TKey> keyOf)
    where TKey : notnull
{
    private Dictionary<TKey, LiveRow<TItem>> _byKey = [];

    /// <summary>The holders, in the order of the items last given.</summary>
    public IReadOnlyList<LiveRow<TItem>> Rows { get; private set; } = [];

    /// <summary>Puts each item in its key's holder (a new one for a new key) and forgets keys no longer shown.</summary>
    public void Update(IReadOnlyCollection<TItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var kept = new Dictionary<TKey, LiveRow<TItem>>(items.Count);
        var rows = new List<LiveRow<TItem>>(items.Count);
        foreach (var item in items)
        {
            var key = keyOf(item);
            var row = _byKey.GetValueOrDefault(key) ?? new LiveRow<TItem>();
            row.Item = item;
            kept[key] = row;
            rows.Add(row);
        }

        _byKey = kept;
        Rows = rows;
    }
}

/// <summary>One row of a <see cref="LiveRows{TKey, TItem}"/>: the same object for as long as its key is shown.</summary>
public sealed class LiveRow<TItem>
{
    public TItem Item { get; internal set; } = default!;
}
