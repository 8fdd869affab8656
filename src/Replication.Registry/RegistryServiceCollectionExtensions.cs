using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Replication.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string ConfigurationSection = "Replication:Registry";

    /// <summary>
    /// Registers <see cref="IRegistryClientFactory"/> (singleton) and its options, bound from <see cref="ConfigurationSection"/>
    /// when an <see cref="IConfiguration"/> is registered, then adjusted by <paramref name="configure"/>, and validated at startup.
    /// </summary>
    public static IServiceCollection AddRegistryClients(this IServiceCollection services, Action<RegistryClientOptions>? configure = null)
    {
        // Bound only when the host has configuration (the web app does; a console tool or a test may not).
        var options = services.AddOptions<RegistryClientOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(ConfigurationSection).Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryClientOptions>, RegistryClientOptionsValidator>();
        // The host's clock when it has one (the web app, a test's fake time); a library never replaces it.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RegistryClientFactory>(sp =>
            new RegistryClientFactory(sp.GetRequiredService<IOptions<RegistryClientOptions>>().Value, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IRegistryClientFactory>(sp => sp.GetRequiredService<RegistryClientFactory>());
        return services;
    }

    internal static string? Validate(RegistryClientOptions o) =>
        o.MaxConcurrentRequestsPerHost < 1 ? "MaxConcurrentRequestsPerHost must be at least 1."
        : o.ChunkSizeBytes < 1024 * 1024 ? "ChunkSizeBytes must be at least 1 MiB."
        : o.MonolithicUploadLimitBytes < 0 ? "MonolithicUploadLimitBytes cannot be negative."
        : o.MaxAttempts < 1 ? "MaxAttempts must be at least 1."
        : o.RetryBaseDelay < TimeSpan.Zero ? "RetryBaseDelay cannot be negative."
        : o.MaxRetryDelay < o.RetryBaseDelay ? "MaxRetryDelay must be at least RetryBaseDelay."
        : o.PingTimeout <= TimeSpan.Zero ? "PingTimeout must be positive."
        : o.RequestTimeout <= TimeSpan.Zero ? "RequestTimeout must be positive."
        : null;

    private sealed class RegistryClientOptionsValidator : IValidateOptions<RegistryClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, RegistryClientOptions options) =>
            RegistryServiceCollectionExtensions.Validate(options) is { } error
                ? ValidateOptionsResult.Fail($"Replication:Registry: {error}")
                : ValidateOptionsResult.Success;
    }
}
