namespace Replication.Admin.Registries;

/// <summary>Told after a registry was created or changed and the change committed (health checks).</summary>
public interface IRegistrySaveListener
{
    void OnSaved(int registryId);
}
