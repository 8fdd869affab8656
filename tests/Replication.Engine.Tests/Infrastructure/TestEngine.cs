using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Registry;
using Replication.Testing.Faults;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>The product's registry client and the engine, wired as the app wires them, for one test.</summary>
public sealed class TestEngine : IDisposable
{
    public TestEngine(ReplicationOptions? options = null, RegistryClientOptions? clientOptions = null)
    {
        Factory = new RegistryClientFactory(clientOptions ?? new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(50) });
        Options = options ?? new ReplicationOptions { TaskRetryDelay = TimeSpan.FromMilliseconds(100) };
        Planner = new ReplicationPlanner(Factory, Options);
        Runner = new ReplicationRunner(Factory, Options);
    }

    public RegistryClientFactory Factory { get; }

    public ReplicationOptions Options { get; }

    public ReplicationPlanner Planner { get; }

    public ReplicationRunner Runner { get; }

    /// <summary>The endpoint of a test registry with its default account.</summary>
    public static RegistryEndpoint EndpointOf(RegistryProcess registry) => EndpointOf(registry.Url, registry);

    /// <summary>An endpoint at <paramref name="url"/> (a fault proxy, say) with the credentials of <paramref name="registry"/>.</summary>
    public static RegistryEndpoint EndpointOf(string url, RegistryProcess registry) => new()
    {
        BaseUrl = new Uri(url),
        Credential = registry.UserName is null ? RegistryCredential.Anonymous : RegistryCredential.Basic(registry.UserName, registry.Password!),
    };

    /// <summary>A project name no other test uses.</summary>
    public static string NewProject(string prefix = "p") => prefix + Guid.NewGuid().ToString("N")[..10];

    public static ReplicationScope Scope(RegistryProcess source, string sourceProject, RegistryProcess destination, string? destinationProject = null, ImageFilter? filter = null) => new()
    {
        Source = EndpointOf(source),
        SourceProject = sourceProject,
        Destination = EndpointOf(destination),
        DestinationProject = destinationProject,
        Filter = filter ?? ImageFilter.Everything,
    };

    /// <summary>A scope that reads the source through <paramref name="sourceProxy"/> (to count or break its requests).</summary>
    public static ReplicationScope Scope(RegistryProcess source, FaultProxy sourceProxy, string sourceProject, RegistryProcess destination) =>
        Scope(source, sourceProject, destination) with { Source = EndpointOf(sourceProxy.Url, source) };

    public void Dispose() => Factory.Dispose();
}
