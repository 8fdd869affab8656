using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Admin.Tests.Infrastructure;
using Replication.Registry;

namespace Replication.Admin.Tests.Host;

public sealed class StorageTests
{
    [Trait("Storage", "Sqlite")]
    [Fact]
    public async Task The_data_directory_holds_the_database_and_the_key_ring_that_survive_a_restart()
    {
        using var data = new TempDirectory();
        const string secret = "Survives-Restart-Secret-9";
        int id;
        using (var first = new AdminAppFactory(data.Path, AdminAppFactory.AdminPassword))
        {
            using var client = first.CreateBasicClient();
            using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name = "kept", url = "https://kept.example.com", type = "docker-registry", username = "u", password = secret });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "replication.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data.Path, "keys"), "key-*.xml"));

        using var second = new AdminAppFactory(data.Path, AdminAppFactory.AdminPassword);
        using var scope = second.Services.CreateScope();
        var endpoint = await scope.ServiceProvider.GetRequiredService<RegistryService>().GetClientEndpointAsync(id);

        Assert.Equal(secret, Assert.IsType<BasicCredential>(endpoint!.Credential).Password);
    }

    [Fact]
    public async Task The_theme_choice_is_remembered_in_a_cookie_and_painted_first_time()
    {
        using var app = new AdminAppFactory();
        using var client = app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("Cookie", "ra-theme=dark");

        using var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("<body class=\"ra-dark\">", html, StringComparison.Ordinal);
        Assert.Contains("<body class=\"ra-light\">", await client.GetStringAsync("/account/login"), StringComparison.Ordinal);
    }
}
