using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Admin.Tests.Host;

[CollectionDefinition(RegistryFixture.Collection)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>;

/// <summary>Test Connection through the API against real <c>docker-registry</c> processes.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class PingAgainstRealRegistriesTests(RegistryFixture registries, AdminAppFactory app) : IClassFixture<AdminAppFactory>
{

    [Fact]
    public async Task An_anonymous_registry_answers_OK_with_its_api_version()
    {
        var registry = await registries.AnonymousAsync();

        var (ping, saved) = await RegisterAndPingAsync(new { name = Name("anon"), url = registry.Url, type = "docker-registry" });

        Assert.True(ping.GetProperty("ok").GetBoolean(), ping.GetProperty("message").GetString());
        Assert.Equal("registry/2.0", ping.GetProperty("apiVersion").GetString());
        Assert.Equal("healthy", saved.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, saved.GetProperty("lastCheckedAt").ValueKind);
    }

    [Fact]
    public async Task A_basic_auth_registry_answers_OK_with_the_right_password()
    {
        var registry = await registries.BasicAsync();

        var (ping, saved) = await RegisterAndPingAsync(new { name = Name("basic"), url = registry.Url, type = "docker-registry", username = registry.UserName, password = registry.Password });

        Assert.True(ping.GetProperty("ok").GetBoolean(), ping.GetProperty("message").GetString());
        Assert.Equal("registry/2.0", ping.GetProperty("apiVersion").GetString());
        Assert.Equal("healthy", saved.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_basic_auth_registry_refuses_a_wrong_password_and_says_so()
    {
        var registry = await registries.BasicAsync();

        var (ping, saved) = await RegisterAndPingAsync(new { name = Name("basicbad"), url = registry.Url, type = "docker-registry", username = registry.UserName, password = "wrong-password" });

        Assert.False(ping.GetProperty("ok").GetBoolean());
        Assert.Matches("(?i)credential|password|unauthori[sz]ed|denied", ping.GetProperty("message").GetString()!);
        Assert.Equal("unhealthy", saved.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_token_auth_registry_answers_OK_through_the_token_exchange()
    {
        var registry = await registries.TokenAsync();

        var (ping, saved) = await RegisterAndPingAsync(new { name = Name("token"), url = registry.Url, type = "docker-registry", username = registry.UserName, password = registry.Password });

        Assert.True(ping.GetProperty("ok").GetBoolean(), ping.GetProperty("message").GetString());
        Assert.Equal("registry/2.0", ping.GetProperty("apiVersion").GetString());
        Assert.Equal("healthy", saved.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_reported_unreachable()
    {
        var port = UnusedPort();

        var (ping, saved) = await RegisterAndPingAsync(new { name = Name("closed"), url = $"http://127.0.0.1:{port}", type = "docker-registry" });

        Assert.False(ping.GetProperty("ok").GetBoolean());
        Assert.Matches("(?i)unreachable|could not|refused|connect", ping.GetProperty("message").GetString()!);
        Assert.Equal("unhealthy", saved.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_registry_with_a_private_CA_fails_TLS_until_its_CA_certificate_is_pasted()
    {
        await using var registry = await RegistryProcess.StartAsync(new RegistryOptions { Tls = true });
        var name = Name("tls");

        var (refused, _) = await RegisterAndPingAsync(new { name, url = registry.Url, type = "docker-registry" });
        using var client = app.CreateBasicClient();
        var id = (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/registries"))!.Single(r => r.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();
        using var updated = await client.PutAsJsonAsync($"/api/v1/registries/{id}", new { name, url = registry.Url, type = "docker-registry", caCertificate = registry.CertificateAuthority!.CertificatePem });
        using var ping = await client.PostAsync($"/api/v1/registries/{id}/ping", null);
        var trusted = await ping.Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Contains("TLS handshake", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.True(trusted.GetProperty("ok").GetBoolean(), trusted.GetProperty("message").GetString());
        Assert.Equal("registry/2.0", trusted.GetProperty("apiVersion").GetString());
    }

    private async Task<(JsonElement Ping, JsonElement Saved)> RegisterAndPingAsync(object registry)
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/registries", registry);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var ping = await client.PostAsync($"/api/v1/registries/{id}/ping", null);
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var pingBody = await ping.Content.ReadFromJsonAsync<JsonElement>();
        var saved = await client.GetFromJsonAsync<JsonElement>($"/api/v1/registries/{id}");
        return (pingBody, saved);
    }

    /// <summary>A loopback port with nothing listening: bound, read, released.</summary>
    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
