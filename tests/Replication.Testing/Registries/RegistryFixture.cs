using Xunit;

namespace Replication.Testing.Registries;

/// <summary>
/// Shared registries for tests that only read and write unique repository names: one anonymous, one
/// htpasswd Basic and one token-authenticated registry, each started on first use and disposed with the
/// fixture. Use it as a class or collection fixture; xunit needs the collection definition in the test
/// assembly itself:
/// <code>
/// [CollectionDefinition(RegistryFixture.Collection)]
/// public sealed class RegistryCollection : ICollectionFixture&lt;RegistryFixture&gt;;
/// </code>
/// A test that stops, restarts, configures notifications or fills a registry starts its own with
/// <see cref="StartDedicatedAsync"/> and disposes it.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    /// <summary>Conventional collection name for <c>[Collection(RegistryFixture.Collection)]</c>.</summary>
    public const string Collection = "Shared registries";

    private readonly Lazy<Task<RegistryProcess>> _anonymous = new(() => RegistryProcess.StartAsync(RegistryOptions.Anonymous));
    private readonly Lazy<Task<RegistryProcess>> _basic = new(() => RegistryProcess.StartAsync(RegistryOptions.Basic));
    private readonly Lazy<Task<RegistryProcess>> _token = new(() => RegistryProcess.StartAsync(RegistryOptions.Token));

    /// <summary>The shared anonymous registry.</summary>
    public Task<RegistryProcess> AnonymousAsync() => _anonymous.Value;

    /// <summary>The shared htpasswd Basic registry (user <c>tester</c>, random password).</summary>
    public Task<RegistryProcess> BasicAsync() => _basic.Value;

    /// <summary>The shared token-authenticated registry (user <c>tester</c>, random password).</summary>
    public Task<RegistryProcess> TokenAsync() => _token.Value;

    /// <summary>The shared registry of the given mode.</summary>
    public Task<RegistryProcess> GetAsync(RegistryAuthMode mode) => mode switch
    {
        RegistryAuthMode.Anonymous => AnonymousAsync(),
        RegistryAuthMode.Basic => BasicAsync(),
        RegistryAuthMode.Token => TokenAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown registry auth mode."),
    };

    /// <summary>Starts a registry that only the calling test uses; the caller disposes it.</summary>
    public static Task<RegistryProcess> StartDedicatedAsync(RegistryOptions? options = null, CancellationToken cancellationToken = default) =>
        RegistryProcess.StartAsync(options, cancellationToken);

    /// <summary>A repository name nobody else uses, e.g. <c>test/app-1a2b3c4d5e6f</c>.</summary>
    public static string UniqueRepository(string prefix = "test/app") => $"{prefix}-{Secrets.NewId()}";

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var registry in new[] { _anonymous, _basic, _token })
        {
            if (!registry.IsValueCreated)
            {
                continue;
            }

            try
            {
                await (await registry.Value).DisposeAsync();
            }
            catch (RegistryStartException)
            {
                // It never started; nothing to clean.
            }
        }
    }
}
