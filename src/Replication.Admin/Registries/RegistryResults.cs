using Replication.Registry;
using Replication.Registry.Inspection;

namespace Replication.Admin.Registries;

/// <summary>Outcome of create or update: the saved registry, or field errors, or "no such registry".</summary>
public sealed record RegistrySaveResult(RegistryView? Registry, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false)
{
    public bool Succeeded => Registry is not null;

    public static RegistrySaveResult Saved(RegistryView registry) => new(registry, new Dictionary<string, string[]>());

    public static RegistrySaveResult Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);

    public static RegistrySaveResult Missing() => new(null, new Dictionary<string, string[]>(), NotFound: true);
}

public enum RegistryDeleteOutcome
{
    Deleted,
    NotFound,
    InUse,
}

/// <summary>Outcome of delete; <see cref="Message"/> names the rules that still use the registry.</summary>
public sealed record RegistryDeleteResult(RegistryDeleteOutcome Outcome, string Message, IReadOnlyList<string> UsedByRules);

/// <summary>One page of a browse listing, or what went wrong in words for the administrator.</summary>
public sealed record BrowsePage(IReadOnlyList<string> Items, string? Last, string? Error = null, bool CatalogRefused = false)
{
    public bool Failed => Error is not null;

    public bool HasMore => Last is not null;

    public static BrowsePage From(Page<string> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new BrowsePage(page.Items, page.Last);
    }

    public static BrowsePage Failure(string error, bool catalogRefused = false) => new([], null, error, catalogRefused);
}

/// <summary>A tag's details for the browse view, or what went wrong in words for the administrator.</summary>
public sealed record TagDetailsResult(TagDetails? Details, string? Error);
