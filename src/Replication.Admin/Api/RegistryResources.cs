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
            view.LastCheckedAt?.UtcDateTime);
    }
}

/// <summary>Test Connection's answer: <c>{"ok","message","apiVersion"}</c>.</summary>
public sealed record PingResource(bool Ok, string Message, string? ApiVersion)
{
    public static PingResource From(PingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new PingResource(result.Ok, result.Message, result.ApiVersion);
    }
}
