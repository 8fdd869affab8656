using Replication.Registry;

namespace Replication.Engine.Projects;

/// <summary>Makes sure a destination project exists before images are pushed into it.</summary>
public interface IProjectProvisioner
{
    /// <summary>Creates <paramref name="project"/> on <paramref name="endpoint"/> when missing; true when it was created now.</summary>
    /// <exception cref="ReplicationException">The registry refused or failed; the message says why.</exception>
    Task<bool> EnsureProjectAsync(RegistryEndpoint endpoint, string project, CancellationToken cancellationToken = default);
}
