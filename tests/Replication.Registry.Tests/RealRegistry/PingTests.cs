using Replication.Registry.Tests.Support;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class PingTests(RegistryFixture registries) : IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task A_registry_with_the_right_credentials_answers_OK_with_its_API_version(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);

        var result = await _factory.Create(Endpoints.For(registry)).PingAsync();

        Assert.Equal(PingOutcome.Ok, result.Outcome);
        Assert.True(result.Ok);
        Assert.Equal("registry/2.0", result.ApiVersion);
        Assert.Equal("Connected (registry/2.0)", result.Message);
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task A_wrong_password_is_reported_as_rejected_credentials_without_echoing_it(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);

        var result = await _factory.Create(Endpoints.For(registry, password: "wrong-password-123")).PingAsync();

        Assert.Equal(PingOutcome.Unauthorized, result.Outcome);
        Assert.Contains("rejected", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-123", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protected_registry_pinged_anonymously_asks_for_credentials()
    {
        var registry = await registries.BasicAsync();

        var result = await _factory.Create(Endpoints.Anonymous(registry)).PingAsync();

        Assert.Equal(PingOutcome.Unauthorized, result.Outcome);
        Assert.Contains("requires credentials", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_unreachable()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var result = await _factory.Create(new RegistryEndpoint { BaseUrl = new Uri($"http://127.0.0.1:{port}") }).PingAsync();

        Assert.Equal(PingOutcome.Unreachable, result.Outcome);
        Assert.Contains($"127.0.0.1:{port}", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_unreachable()
    {
        var result = await _factory.Create(new RegistryEndpoint { BaseUrl = new Uri("http://no-such-registry.invalid") }).PingAsync();

        Assert.Equal(PingOutcome.Unreachable, result.Outcome);
    }

    [Fact]
    public async Task A_web_page_is_not_a_registry()
    {
        await using var portal = PlainHttpServer.Html();

        var result = await _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(portal.Url) }).PingAsync();

        Assert.Equal(PingOutcome.NotARegistry, result.Outcome);
        Assert.Contains("web page", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_answering_404_is_not_a_registry()
    {
        await using var server = PlainHttpServer.NotFound();

        var result = await _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(server.Url) }).PingAsync();

        Assert.Equal(PingOutcome.NotARegistry, result.Outcome);
        Assert.Contains("404", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speaking_TLS_to_a_plain_HTTP_registry_is_a_TLS_failure()
    {
        var registry = await registries.AnonymousAsync();

        var result = await _factory.Create(new RegistryEndpoint { BaseUrl = new Uri($"https://127.0.0.1:{registry.Port}") }).PingAsync();

        Assert.Equal(PingOutcome.TlsFailure, result.Outcome);
        Assert.Contains("TLS", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_ping_limit()
    {
        await using var silent = PlainHttpServer.Silent();
        using var factory = new RegistryClientFactory(new RegistryClientOptions { PingTimeout = TimeSpan.FromMilliseconds(500) });

        var result = await factory.Create(new RegistryEndpoint { BaseUrl = new Uri(silent.Url) }).PingAsync();

        Assert.Equal(PingOutcome.Timeout, result.Outcome);
        Assert.Contains("did not answer", result.Message, StringComparison.Ordinal);
    }
}
