namespace Replication.Registry;

/// <summary>
/// Hands out clients for endpoints. Connections (and TLS settings) are pooled per distinct TLS configuration and
/// tokens are cached per endpoint and scope, so creating a client per operation is cheap.
/// </summary>
public interface IRegistryClientFactory
{
    IRegistryClient Create(RegistryEndpoint endpoint);
}
