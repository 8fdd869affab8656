using Replication.Registry.Tests.Support;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

/// <summary>
/// A registry serving HTTPS with a certificate from a private CA, as internal registries do: trusted when the
/// administrator pastes that CA, refused otherwise, and reachable without verification only when they switch it off.
/// </summary>
public sealed class TlsTests : IAsyncLifetime, IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries(o => o.MaxAttempts = 1));
    private RegistryProcess _registry = null!;

    public async Task InitializeAsync() => _registry = await RegistryProcess.StartAsync(new RegistryOptions { Auth = RegistryAuthMode.Basic, Tls = true });

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task With_the_registrys_CA_pasted_the_connection_is_verified_and_images_read_byte_for_byte()
    {
        Assert.StartsWith("https://", _registry.Url, StringComparison.Ordinal);
        using var seed = new OciTestClient(_registry);
        var image = await seed.PushImageAsync("internal/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 64 * 1024));
        var client = _factory.Create(Endpoints.For(_registry) with { CaCertificatePem = _registry.CertificateAuthority!.CertificatePem });

        var ping = await client.PingAsync();
        var tags = await client.ListTagsAsync("internal/app").ToListAsync();
        var manifest = await client.GetManifestAsync("internal/app", "v1");

        Assert.Equal(PingOutcome.Ok, ping.Outcome);
        Assert.Equal("Connected (registry/2.0)", ping.Message);
        Assert.Equal(["v1"], tags);
        Assert.Equal(image.Digest, manifest.Digest);
    }

    [Fact]
    public async Task Without_the_CA_the_handshake_fails_with_advice_and_no_credentials_are_sent()
    {
        var result = await _factory.Create(Endpoints.For(_registry)).PingAsync();

        Assert.Equal(PingOutcome.TlsFailure, result.Outcome);
        Assert.Contains("TLS handshake", result.Message, StringComparison.Ordinal);
        Assert.Contains("CA certificate", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_registry.Password!, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_CA_does_not_vouch_for_the_registry()
    {
        using var stranger = TestCertificateAuthority.Create("Someone Else's CA");

        var result = await _factory.Create(Endpoints.For(_registry) with { CaCertificatePem = stranger.CertificatePem }).PingAsync();

        Assert.Equal(PingOutcome.TlsFailure, result.Outcome);
    }

    [Fact]
    public async Task With_verification_switched_off_the_registry_is_reachable()
    {
        var result = await _factory.Create(Endpoints.For(_registry) with { VerifyTls = false }).PingAsync();

        Assert.Equal(PingOutcome.Ok, result.Outcome);
    }

    [Fact]
    public async Task Plain_HTTP_to_a_TLS_port_is_not_taken_for_a_registry()
    {
        var result = await _factory.Create(Endpoints.For(_registry) with { BaseUrl = new Uri(_registry.Url.Replace("https://", "http://", StringComparison.Ordinal)) }).PingAsync();

        // Go's TLS listener answers plain HTTP with a bare 400: no registry header, so no registry.
        Assert.Equal(PingOutcome.NotARegistry, result.Outcome);
    }
}
