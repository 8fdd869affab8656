using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Configuration;

/// <summary>
/// What a file asks for, in this app's terms, whatever its format: registries and rules keyed by name, plus the entries
/// that cannot be expressed (never imported in part). The importer compares it with what exists and applies it.
/// </summary>
public sealed class ImportSet
{
    public List<ImportedRegistry> Registries { get; } = [];

    public List<ImportedRule> Rules { get; } = [];

    public List<UnsupportedEntry> Unsupported { get; } = [];

    /// <summary>Problems of the request itself (e.g. a missing skopeo destination), keyed like field errors.</summary>
    public Dictionary<string, string[]> Errors { get; } = [];
}

/// <summary>
/// A registry of the file. <see cref="Entry"/> names it in messages (<c>registries[source]</c>). Peer formats name
/// hosts, not our registries: <see cref="MatchByUrl"/> makes the importer use a registry already registered at the same
/// URL, as it is, instead of creating a second one.
/// </summary>
public sealed record ImportedRegistry(string Entry, RegistryEndpointInput Input, string? PasswordFromEnv = null, bool MatchByUrl = false);

/// <summary>
/// A rule of the file, its registries by name (ids are resolved by the importer). <see cref="CarriesEverySetting"/>: the
/// file states the whole rule (our own format), so a missing setting means its default; otherwise (peer formats) the
/// settings the format cannot express keep their saved values.
/// </summary>
public sealed record ImportedRule(string Entry, ReplicationRuleInput Input, string? SourceRegistry, string? DestinationRegistry)
{
    public bool CarriesEverySetting { get; init; }
}

/// <summary>An entry of the file that no registry or rule can express, and why; <c>{"entry","reason"}</c>.</summary>
public sealed record UnsupportedEntry(string Entry, string Reason);
