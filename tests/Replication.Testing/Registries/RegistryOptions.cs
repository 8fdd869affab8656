namespace Replication.Testing.Registries;

/// <summary>How a test registry authenticates its clients.</summary>
public enum RegistryAuthMode
{
    /// <summary>No authentication: every request is allowed.</summary>
    Anonymous,

    /// <summary>HTTP Basic against an htpasswd file of bcrypt hashes.</summary>
    Basic,

    /// <summary>Bearer tokens from a <see cref="Tokens.TokenIssuer"/> started with the registry.</summary>
    Token,
}

/// <summary>What to start: authentication, users, deletion, token lifetime and notification endpoints.</summary>
public sealed class RegistryOptions
{
    /// <summary>Authentication mode; <see cref="RegistryAuthMode.Anonymous"/> by default.</summary>
    public RegistryAuthMode Auth { get; init; } = RegistryAuthMode.Anonymous;

    /// <summary>
    /// Accounts for Basic and Token modes. When empty, one account named <c>tester</c> with a random
    /// password and full access is created; the first account is the registry's default credential.
    /// </summary>
    public IReadOnlyList<RegistryUser> Users { get; init; } = [];

    /// <summary>Whether manifests and blobs may be deleted (<c>storage.delete.enabled</c>); on by default.</summary>
    public bool DeleteEnabled { get; init; } = true;

    /// <summary>Lifetime of issued tokens in Token mode (distribution adds 60 s of leeway to <c>exp</c>).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Endpoints the registry posts its event envelopes to (<c>notifications.endpoints</c>).</summary>
    public IReadOnlyList<NotificationEndpoint> Notifications { get; init; } = [];

    /// <summary>
    /// Serve HTTPS with a certificate for <c>127.0.0.1</c> issued by a private CA made for this registry
    /// (<see cref="RegistryProcess.CertificateAuthority"/>), as internal registries often do; off by default.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>How long to wait for <c>GET /v2/</c> to answer before giving up.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Options for an anonymous registry.</summary>
    public static RegistryOptions Anonymous => new();

    /// <summary>Options for an htpasswd Basic registry with the default <c>tester</c> account.</summary>
    public static RegistryOptions Basic => new() { Auth = RegistryAuthMode.Basic };

    /// <summary>Options for a token-authenticated registry with the default <c>tester</c> account.</summary>
    public static RegistryOptions Token => new() { Auth = RegistryAuthMode.Token };
}

/// <summary>
/// An account of a test registry. <see cref="AllowedActions"/> restricts what the token issuer grants
/// (for example only <c>pull</c>); in Basic mode distribution has no per-user permissions.
/// </summary>
/// <param name="Name">User name.</param>
/// <param name="Password">Password in clear; hashed with bcrypt for htpasswd.</param>
public sealed record RegistryUser(string Name, string Password)
{
    /// <summary>Repository actions this user may be granted (<c>pull</c>, <c>push</c>, <c>delete</c>, <c>*</c>); null grants all.</summary>
    public IReadOnlyList<string>? AllowedActions { get; init; }

    /// <summary>Whether the token issuer grants <c>registry:catalog:*</c>; on by default.</summary>
    public bool CanListCatalog { get; init; } = true;

    /// <summary>Creates a user with a random password and full access.</summary>
    public static RegistryUser Create(string name) => new(name, Secrets.NewPassword());

    /// <summary>Creates a user with a random password who may only pull (no push, delete, or catalog).</summary>
    public static RegistryUser PullOnly(string name) =>
        new(name, Secrets.NewPassword()) { AllowedActions = ["pull"], CanListCatalog = false };

    /// <summary>Hides the password.</summary>
    public override string ToString() => $"RegistryUser {{ Name = {Name}, Password = *** }}";
}

/// <summary>One <c>notifications.endpoints</c> entry of distribution's configuration.</summary>
/// <param name="Name">Human-readable endpoint name.</param>
/// <param name="Url">URL the registry posts event envelopes to.</param>
public sealed record NotificationEndpoint(string Name, string Url)
{
    /// <summary>Static headers added to each request, e.g. <c>Authorization: ["Bearer secret"]</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>HTTP timeout of one delivery.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures before the registry backs off.</summary>
    public int Threshold { get; init; } = 3;

    /// <summary>How long the registry backs off after <see cref="Threshold"/> failures.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Event actions not sent (e.g. <c>pull</c>).</summary>
    public IReadOnlyList<string> IgnoredActions { get; init; } = [];

    /// <summary>Target media types not sent.</summary>
    public IReadOnlyList<string> IgnoredMediaTypes { get; init; } = [];

    /// <summary>An endpoint that authenticates with <c>Authorization: Bearer {secret}</c>.</summary>
    public static NotificationEndpoint WithBearer(string name, string url, string secret) =>
        new(name, url)
        {
            Headers = new Dictionary<string, IReadOnlyList<string>> { ["Authorization"] = [$"Bearer {secret}"] },
        };

    /// <summary>Hides header values, which usually carry a secret.</summary>
    public override string ToString() =>
        $"NotificationEndpoint {{ Name = {Name}, Url = {Url}, Headers = [{string.Join(", ", Headers.Keys)}] }}";
}
