using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Replication.Registry.Auth;
using Replication.Registry.Http;

namespace Replication.Registry.Tests.Transport;

public class TlsAndOptionsTests
{
    [Fact]
    public void Endpoints_with_the_same_TLS_settings_share_one_connection_pool()
    {
        using var pool = new TlsHandlerPool(new RegistryClientOptions());
        var ca = SelfSignedCaPem();
        var plain = new RegistryEndpoint { BaseUrl = new Uri("https://a.example.com") };

        var first = pool.For(plain);
        Assert.Same(first, pool.For(plain with { BaseUrl = new Uri("https://b.example.com"), Credential = RegistryCredential.Basic("u", "p") }));
        Assert.NotSame(first, pool.For(plain with { VerifyTls = false }));
        var withCa = pool.For(plain with { CaCertificatePem = ca });
        Assert.Same(withCa, pool.For(plain with { CaCertificatePem = ca.Replace("\n", "\r\n", StringComparison.Ordinal) + "\n" }));
        Assert.Equal(3, pool.Count);
    }

    [Fact]
    public void A_CA_field_without_a_certificate_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<ArgumentException>(() => TlsHandlerPool.ReadCaBundle("not a certificate"));
        Assert.Contains("BEGIN CERTIFICATE", error.Message, StringComparison.Ordinal);
        using var factory = new RegistryClientFactory();
        Assert.Throws<ArgumentException>(() => factory.Create(new RegistryEndpoint { BaseUrl = new Uri("https://x"), CaCertificatePem = "junk" }).Endpoint);
        Assert.Throws<ArgumentException>(() => factory.Create(new RegistryEndpoint { BaseUrl = new Uri("ftp://x") }));
    }

    [Fact]
    public void A_certificate_issued_by_the_custom_CA_is_trusted_and_a_stranger_is_not()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Lab CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=registry.lab", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        using var stranger = leafRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        var trusted = TlsHandlerPool.ReadCaBundle(ca.ExportCertificatePem());
        const System.Net.Security.SslPolicyErrors chainError = System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors;

        Assert.True(TlsHandlerPool.TrustedBySystemOrCustomCa(leaf, null, chainError, trusted));
        Assert.False(TlsHandlerPool.TrustedBySystemOrCustomCa(stranger, null, chainError, trusted));
        Assert.False(TlsHandlerPool.TrustedBySystemOrCustomCa(leaf, null, chainError | System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch, trusted));
        Assert.True(TlsHandlerPool.TrustedBySystemOrCustomCa(stranger, null, System.Net.Security.SslPolicyErrors.None, trusted));
    }

    [Fact]
    public void Tokens_are_refreshed_a_fifth_of_their_life_early_but_at_most_30_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(12), EndpointAuth.RefreshMargin(TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(30), EndpointAuth.RefreshMargin(TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_a_date_and_capped()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var seconds = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        seconds.Headers.TryAddWithoutValidation("Retry-After", "7");
        using var date = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        date.Headers.TryAddWithoutValidation("Retry-After", "Thu, 01 Jan 2026 00:00:20 GMT");
        using var huge = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        huge.Headers.TryAddWithoutValidation("Retry-After", "86400");
        using var none = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);

        Assert.Equal(TimeSpan.FromSeconds(7), RegistryTransport.RetryAfter(seconds, time, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(20), RegistryTransport.RetryAfter(date, time, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), RegistryTransport.RetryAfter(huge, time, TimeSpan.FromMinutes(1)));
        Assert.Null(RegistryTransport.RetryAfter(none, time, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void AddRegistryClients_binds_configuration_and_registers_the_real_factory()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Replication:Registry:MaxConcurrentRequestsPerHost"] = "3",
                ["Replication:Registry:ChunkSizeBytes"] = "8388608",
            })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();

        services.AddRegistryClients(o => o.MaxAttempts = 2);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RegistryClientOptions>>().Value;
        Assert.Equal(3, options.MaxConcurrentRequestsPerHost);
        Assert.Equal(8 * 1024 * 1024, options.ChunkSizeBytes);
        Assert.Equal(2, options.MaxAttempts);
        var factory = Assert.IsType<RegistryClientFactory>(provider.GetRequiredService<IRegistryClientFactory>());
        Assert.NotNull(factory.Create(new RegistryEndpoint { BaseUrl = new Uri("http://127.0.0.1:1") }));
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_key_named()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRegistryClients(o => o.ChunkSizeBytes = 10);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryClientOptions>>().Value);
        Assert.Contains("ChunkSizeBytes", error.Message, StringComparison.Ordinal);
    }

    private static string SelfSignedCaPem()
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
