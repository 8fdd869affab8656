namespace Replication.Registry;

/// <summary>One page of a catalog or tag listing; <see cref="Last"/> is the cursor for the next page (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Last)
{
    public bool HasMore => Last is not null;
}
