using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Fixtures;

[Collection(RegistryFixture.Collection)]
public sealed class RegistryProcessTests(RegistryFixture registries)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task Anonymous_registry_answers_v2_without_credentials()
    {
        var registry = await registries.AnonymousAsync();

        using var response = await Http.GetAsync(new Uri($"{registry.Url}/v2/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"127.0.0.1:{registry.Port}", registry.Authority);
        Assert.Null(registry.UserName);
    }

    [Fact]
    public async Task Basic_registry_accepts_the_right_password_and_refuses_a_wrong_one()
    {
        var registry = await registries.BasicAsync();

        using var anonymous = await Http.GetAsync(new Uri($"{registry.Url}/v2/"));
        using var right = await GetAsync($"{registry.Url}/v2/", registry.BasicAuthorization());
        using var wrong = await GetAsync($"{registry.Url}/v2/", Basic(registry.UserName!, "not-the-password"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Token_registry_challenges_with_the_issuer_realm_and_accepts_its_token()
    {
        var registry = await registries.TokenAsync();
        var issuer = registry.TokenIssuer!;

        using var challenge = await Http.GetAsync(new Uri($"{registry.Url}/v2/"));
        var token = await FetchTokenAsync(issuer.Realm, issuer.Service, "registry:catalog:*", registry.UserName!, registry.Password!);
        using var authorized = await GetAsync($"{registry.Url}/v2/_catalog", new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var parameter = challenge.Headers.WwwAuthenticate.Single().Parameter!;
        Assert.Contains($"realm=\"{issuer.Realm}\"", parameter, StringComparison.Ordinal);
        Assert.Contains($"service=\"{issuer.Service}\"", parameter, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Token_issuer_refuses_a_wrong_password()
    {
        var registry = await registries.TokenAsync();
        var issuer = registry.TokenIssuer!;
        var url = $"{issuer.Realm}?service={issuer.Service}&scope=repository:x/y:pull";

        using var wrong = await GetAsync(url, Basic(registry.UserName!, "not-the-password"));
        using var none = await Http.GetAsync(new Uri(url));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<HttpResponseMessage> GetAsync(string url, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = authorization;
        return await Http.SendAsync(request);
    }

    internal static async Task<string> FetchTokenAsync(string realm, string service, string scope, string user, string password)
    {
        using var response = await GetAsync($"{realm}?service={Uri.EscapeDataString(service)}&scope={Uri.EscapeDataString(scope)}", Basic(user, password));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }
}
