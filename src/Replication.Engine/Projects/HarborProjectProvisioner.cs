using System.Net;
using Replication.Registry;

namespace Replication.Engine.Projects;

/// <summary>
/// Creates missing projects on Harbor through the registry client (<see cref="IRegistryClient.EnsureHarborProjectAsync"/>):
/// the endpoint's own connections, TLS settings, Basic credential and retries. Refusals come back in the
/// administrator's words, with what to change.
/// </summary>
public sealed class HarborProjectProvisioner(IRegistryClientFactory clients) : IProjectProvisioner
{
    /// <inheritdoc />
    public async Task<bool> EnsureProjectAsync(RegistryEndpoint endpoint, string project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(project);
        try
        {
            return await clients.Create(endpoint).EnsureHarborProjectAsync(project, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException ex)
        {
            var hint = ex.StatusCode switch
            {
                HttpStatusCode.Unauthorized => " Check the registry's username and password.",
                HttpStatusCode.Forbidden => " The account may not create projects: give it the system admin role, or let everyone create projects.",
                HttpStatusCode.NotFound => " Is this endpoint really Harbor? Choose the docker-registry type otherwise.",
                _ => "",
            };
            throw new ReplicationException($"{ex.Message.TrimEnd('.')}.{hint}", ex.IsTransient, ex);
        }
    }
}
