using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Support;

/// <summary>Endpoints for the fixture's registries, with their default account (or another password).</summary>
internal static class Endpoints
{
    public static RegistryEndpoint For(RegistryProcess registry, string? password = null) => new()
    {
        BaseUrl = new Uri(registry.Url),
        Credential = registry.UserName is null ? RegistryCredential.Anonymous : RegistryCredential.Basic(registry.UserName, password ?? registry.Password!),
    };

    public static RegistryEndpoint Anonymous(RegistryProcess registry) => new() { BaseUrl = new Uri(registry.Url) };

    /// <summary>Fast retries so fault tests do not wait seconds per attempt.</summary>
    public static RegistryClientOptions QuickRetries(Action<RegistryClientOptions>? adjust = null)
    {
        var options = new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromSeconds(5) };
        adjust?.Invoke(options);
        return options;
    }
}
