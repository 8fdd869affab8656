using Replication.Admin.Registries;
using Replication.Registry;

namespace Replication.Admin.Api;

/// <summary>A registry in the API's stable JSON shape. The password is write-only and so has no place here.</summary>
public sealed record RegistryResource(
    int Id,
    string Name,
    string Url,
    string Type,
    string? Username,
    bool VerifyTls,
    string? CaCertificate,
    string Description,
    string Status,
    DateTime? LastCheckedAt)
{
    /// <summary><c>generic</c>, <c>docker-hub</c>, <c>ghcr</c>, <c>quay</c>, <c>gitlab</c> or <c>harbor</c>.</summary>
    public string Kind { get; init; } = RegistryKinds.Generic;

    public static RegistryResource From(RegistryView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new RegistryResource(
            view.Id,
            view.Name,
            view.Url,
            view.Type,
            view.Username,
            view.VerifyTls,
            view.CaCertificate,
            view.Description,
            view.Status.ToString().ToLowerInvariant(),
            view.LastCheckedAt?.UtcDateTime)
        {
            Kind = view.Kind,
        };
    }
}

/// <summary>Test Connection's answer: <c>{"ok","message","apiVersion","rateLimit"}</c>.</summary>
public sealed record PingResource(bool Ok, string Message, string? ApiVersion)
{
    /// <summary>The pull rate limit the registry announced (Docker Hub); null when it announces none.</summary>
    public RateLimitResource? RateLimit { get; init; }

    public static PingResource From(PingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new PingResource(result.Ok, result.Message, result.ApiVersion)
        {
            RateLimit = result.RateLimit is { } limit ? new RateLimitResource(limit.Limit, limit.Remaining, (int?)limit.Window?.TotalSeconds) : null,
        };
    }
}

/// <summary><c>{"limit":100,"remaining":76,"windowSeconds":21600}</c>: requests per window and how many are left.</summary>
public sealed record RateLimitResource(int Limit, int Remaining, int? WindowSeconds);
