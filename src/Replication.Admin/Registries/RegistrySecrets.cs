using Microsoft.AspNetCore.DataProtection;

namespace Replication.Admin.Registries;

/// <summary>Encrypts registry secrets at rest. Each secret field has its own purpose, so one cannot be decrypted as another.</summary>
public sealed class RegistrySecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector password = provider.CreateProtector("Replication.Admin.RegistryEndpoint.Password.v1");

    public string ProtectPassword(string plainText) => password.Protect(plainText);

    public string UnprotectPassword(string protectedText) => password.Unprotect(protectedText);
}
