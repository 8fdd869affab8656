using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Replication.Registry.Http;

/// <summary>
/// One <see cref="SocketsHttpHandler"/> (one connection pool) per distinct TLS configuration. IHttpClientFactory's
/// named clients do not fit here: TLS settings are data (one per registry an admin adds), not configuration known at startup.
/// </summary>
internal sealed class TlsHandlerPool : IDisposable
{
    private readonly ConcurrentDictionary<TlsSettings, Lazy<SocketsHttpHandler>> _handlers = new();
    private readonly RegistryClientOptions _options;

    public TlsHandlerPool(RegistryClientOptions options) => _options = options;

    public int Count => _handlers.Count;

    public SocketsHttpHandler For(RegistryEndpoint endpoint)
    {
        var settings = new TlsSettings(endpoint.VerifyTls, Normalise(endpoint.CaCertificatePem));
        return _handlers.GetOrAdd(settings, s => new Lazy<SocketsHttpHandler>(() => Create(s))).Value;
    }

    public void Dispose()
    {
        foreach (var handler in _handlers.Values.Where(h => h.IsValueCreated))
        {
            handler.Value.Dispose();
        }
    }

    /// <summary>Reads a PEM bundle; throws <see cref="ArgumentException"/> with an admin-readable message when it holds no certificate.</summary>
    public static X509Certificate2Collection ReadCaBundle(string pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"The CA certificate is not valid PEM: {e.Message}", nameof(pem), e);
        }

        if (certificates.Count == 0)
        {
            throw new ArgumentException("The CA certificate field holds no '-----BEGIN CERTIFICATE-----' block.", nameof(pem));
        }

        return certificates;
    }

    private SocketsHttpHandler Create(TlsSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by the client so that Authorization never travels to another host.
            AllowAutoRedirect = false,
            // Blob bytes must arrive exactly as stored: their digest is over the compressed form.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(30, _options.RequestTimeout.TotalSeconds)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };

        if (!settings.VerifyTls)
        {
            // The admin switched verification off for this registry (a lab with a self-signed certificate).
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (settings.CaPem is not null)
        {
            var trusted = ReadCaBundle(settings.CaPem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                TrustedBySystemOrCustomCa(certificate, chain, errors, trusted);
        }

        return handler;
    }

    // The system store decides first; a chain error alone is then retried against the admin's CA (custom root trust).
    internal static bool TrustedBySystemOrCustomCa(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection trusted)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2;
        using var loaded = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return custom.Build(leaf ?? loaded!);
    }

    private static string? Normalise(string? pem) =>
        string.IsNullOrWhiteSpace(pem) ? null : pem.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private sealed record TlsSettings(bool VerifyTls, string? CaPem);
}
