using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Replication.Testing.Registries;

namespace Replication.Testing.Tokens;

/// <summary>
/// A registry token server (distribution's token auth spec) on loopback: <c>GET /token</c> with Basic
/// credentials (and the OAuth2 <c>POST /token</c> password grant) answers an RS256 JWT whose header
/// carries the self-signed signing certificate in <c>x5c</c>; the registry trusts that certificate
/// through its <c>rootcertbundle</c>.
/// </summary>
public sealed class TokenIssuer : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly Dictionary<string, RegistryUser> _users;
    private readonly ConcurrentQueue<TokenGrant> _grants = new();
    private int _rejected;

    private TokenIssuer(LoopbackServer server, RSA key, X509Certificate2 certificate, IEnumerable<RegistryUser> users, TimeSpan lifetime)
    {
        _server = server;
        _key = key;
        _certificate = certificate;
        _users = users.ToDictionary(u => u.Name, StringComparer.Ordinal);
        TokenLifetime = lifetime;
    }

    /// <summary>The token endpoint, the registry's <c>realm</c>: <c>http://127.0.0.1:port/token</c>.</summary>
    public string Realm => _server.Url + "/token";

    /// <summary>The registry's <c>service</c>, which is the token's <c>aud</c>.</summary>
    public string Service { get; } = RegistryConfig.TokenService;

    /// <summary>The token's <c>iss</c>, which the registry's <c>issuer</c> must equal.</summary>
    public string Issuer { get; } = RegistryConfig.TokenIssuerName;

    /// <summary>How long issued tokens live (<c>expires_in</c>).</summary>
    public TimeSpan TokenLifetime { get; }

    /// <summary>The signing certificate in PEM, as written to the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Every token issued so far (subject and granted access, never the token itself), oldest first.</summary>
    public IReadOnlyList<TokenGrant> Grants => [.. _grants];

    /// <summary>How many token requests were refused (bad or missing credentials, wrong service).</summary>
    public int RejectedRequests => Volatile.Read(ref _rejected);

    internal static async Task<TokenIssuer> StartAsync(IEnumerable<RegistryUser> users, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={RegistryConfig.TokenIssuerName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        TokenIssuer? issuer = null;
        var server = await LoopbackServer.StartAsync(context => issuer!.HandleAsync(context), cancellationToken);
        issuer = new TokenIssuer(server, key, certificate, users, lifetime);
        return issuer;
    }

    /// <summary>
    /// Mints a token directly, bypassing credentials: for tests that need a token without the HTTP flow.
    /// </summary>
    /// <param name="subject">The <c>sub</c> claim.</param>
    /// <param name="scopes">Scopes such as <c>repository:team/app:pull,push</c> or <c>registry:catalog:*</c>, granted as asked.</param>
    public string MintToken(string subject, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return Sign(subject, [.. scopes.SelectMany(ParseScopes)]);
    }

    /// <summary>Hides nothing secret but says what this is.</summary>
    public override string ToString() => $"TokenIssuer {Realm} (service {Service})";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!string.Equals(request.Path.Value, "/token", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        string? userName;
        string? password;
        string? service;
        IEnumerable<string> scopeValues;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted);
            if (!string.Equals(form["grant_type"], "password", StringComparison.Ordinal))
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "unsupported_grant_type");
                return;
            }

            userName = form["username"];
            password = form["password"];
            service = form["service"];
            scopeValues = form["scope"].OfType<string>();
        }
        else if (HttpMethods.IsGet(request.Method))
        {
            (userName, password) = ParseBasic(request.Headers.Authorization.ToString());
            service = request.Query["service"];
            scopeValues = request.Query["scope"].OfType<string>();
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (userName is null || password is null
            || !_users.TryGetValue(userName, out var user)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(user.Password)))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"replication-test-token-issuer\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "invalid credentials");
            return;
        }

        if (!string.IsNullOrEmpty(service) && !string.Equals(service, Service, StringComparison.Ordinal))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"unknown service '{service}'");
            return;
        }

        var granted = scopeValues
            .SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .SelectMany(ParseScopes)
            .Select(access => Restrict(user, access))
            .ToList();

        var issuedAt = DateTimeOffset.UtcNow;
        var token = Sign(user.Name, granted);
        var body = new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)Math.Max(1, TokenLifetime.TotalSeconds),
            ["issued_at"] = issuedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    private Task RefuseAsync(HttpContext context, int status, string message)
    {
        Interlocked.Increment(ref _rejected);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }), context.RequestAborted);
    }

    private static (string? UserName, string? Password) ParseBasic(string header)
    {
        const string prefix = "Basic ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[prefix.Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>Parses <c>type[(class)]:name:action,action</c>; the name may itself contain colons.</summary>
    private static IEnumerable<TokenAccess> ParseScopes(string scope)
    {
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first)
        {
            yield break;
        }

        var type = scope[..first];
        var paren = type.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            type = type[..paren];
        }

        var actions = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        yield return new TokenAccess(type, scope[(first + 1)..last], actions);
    }

    private static TokenAccess Restrict(RegistryUser user, TokenAccess asked)
    {
        if (string.Equals(asked.Type, "registry", StringComparison.Ordinal))
        {
            return user.CanListCatalog ? asked : asked with { Actions = [] };
        }

        if (user.AllowedActions is null || user.AllowedActions.Contains("*"))
        {
            return asked;
        }

        return asked with { Actions = [.. asked.Actions.Where(a => user.AllowedActions.Contains(a))] };
    }

    private string Sign(string subject, IReadOnlyList<TokenAccess> access)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now.Add(TokenLifetime).ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access.Select(a => new Dictionary<string, object>
            {
                ["type"] = a.Type,
                ["name"] = a.Name,
                ["actions"] = a.Actions,
            }).ToList(),
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _grants.Enqueue(new TokenGrant(subject, access, now));
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One entry of a token's <c>access</c> claim.</summary>
/// <param name="Type">Resource type, e.g. <c>repository</c> or <c>registry</c>.</param>
/// <param name="Name">Resource name, e.g. <c>team/app</c> or <c>catalog</c>.</param>
/// <param name="Actions">Granted actions, e.g. <c>pull</c>, <c>push</c>, <c>delete</c>, <c>*</c>.</param>
public sealed record TokenAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Reads as a scope: <c>repository:team/app:pull,push</c>.</summary>
    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";
}

/// <summary>A token the issuer handed out: who for, what access, when (the token itself is not kept).</summary>
/// <param name="Subject">The <c>sub</c> claim.</param>
/// <param name="Access">The granted access entries.</param>
/// <param name="IssuedAt">When it was signed.</param>
public sealed record TokenGrant(string Subject, IReadOnlyList<TokenAccess> Access, DateTimeOffset IssuedAt);
