namespace Replication.Registry;

/// <summary>Where a registry lives and how to talk to it: everything the client needs, nothing about rules or storage.</summary>
public sealed record RegistryEndpoint
{
    public required Uri BaseUrl { get; init; }

    public RegistryCredential Credential { get; init; } = RegistryCredential.Anonymous;

    /// <summary>Off only for lab registries with self-signed certificates; a custom CA is the better answer.</summary>
    public bool VerifyTls { get; init; } = true;

    /// <summary>PEM text of a CA certificate (bundle) to trust in addition to the system store.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>The registry product, for its quirks (Docker Hub's <c>library/</c> namespace and rate limit); generic by default.</summary>
    public RegistryProduct Product { get; init; } = RegistryProduct.Generic;

    /// <summary>Host and port as registries name themselves in references ("reg.example.com:5000").</summary>
    public string Authority => BaseUrl.IsDefaultPort ? BaseUrl.Host : $"{BaseUrl.Host}:{BaseUrl.Port}";
}

/// <summary>How the client proves who it is. Secrets are held in memory only for the life of a client.</summary>
public abstract record RegistryCredential
{
    public static RegistryCredential Anonymous { get; } = new AnonymousCredential();

    public static RegistryCredential Basic(string username, string password) => new BasicCredential(username, password);

    /// <summary>A pre-issued identity/refresh token or personal access token used as the password of the token exchange.</summary>
    public static RegistryCredential BearerToken(string token) => new TokenCredential(token);
}

public sealed record AnonymousCredential : RegistryCredential;

public sealed record BasicCredential(string Username, string Password) : RegistryCredential
{
    // Records print their members; a password must never reach a log line.
    public override string ToString() => $"BasicCredential {{ Username = {Username} }}";
}

public sealed record TokenCredential(string Value) : RegistryCredential
{
    public override string ToString() => "TokenCredential";
}
