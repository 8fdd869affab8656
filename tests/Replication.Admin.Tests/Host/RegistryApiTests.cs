using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Admin.Security;
using Replication.Registry;

namespace Replication.Admin.Tests.Host;

public sealed class RegistryApiTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>, IAsyncLifetime
{
    private const string ViewerName = "viewer";
    private const string ViewerPassword = "Viewer-Passw0rd";

    public async Task InitializeAsync()
    {
        using var admin = app.CreateBasicClient();
        using var probe = await admin.GetAsync("/api/v1/registries");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        if ((await app.Services.GetRequiredService<UserAccountService>().ListAsync()).All(u => u.UserName != ViewerName))
        {
            await app.CreateUserAsync(ViewerName, ViewerPassword, Roles.Viewer);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Create_read_update_delete_round_trip()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("crud");

        using var created = await client.PostAsJsonAsync("/api/v1/registries", new
        {
            name,
            url = "https://registry.example.com/",
            type = "harbor",
            username = "robot",
            password = "Robot-Secret-1",
            verifyTls = true,
            caCertificate = (string?)null,
            description = "first",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/registries/{id}", created.Headers.Location!.ToString());
        Assert.Equal(name, body.GetProperty("name").GetString());
        Assert.Equal("https://registry.example.com", body.GetProperty("url").GetString());
        Assert.Equal("harbor", body.GetProperty("type").GetString());
        Assert.Equal("robot", body.GetProperty("username").GetString());
        Assert.True(body.GetProperty("verifyTls").GetBoolean());
        Assert.Equal("unknown", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("lastCheckedAt").ValueKind);

        var fetched = await client.GetFromJsonAsync<JsonElement>($"/api/v1/registries/{id}");
        Assert.Equal("first", fetched.GetProperty("description").GetString());

        using var updated = await client.PutAsJsonAsync($"/api/v1/registries/{id}", new
        {
            name,
            url = "https://registry.example.com",
            type = "docker-registry",
            username = "robot",
            verifyTls = false,
            description = "second",
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var afterUpdate = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("docker-registry", afterUpdate.GetProperty("type").GetString());
        Assert.False(afterUpdate.GetProperty("verifyTls").GetBoolean());

        // The PUT carried no password: the saved one is kept.
        var endpoint = await app.Services.CreateScope().ServiceProvider.GetRequiredService<RegistryService>().GetClientEndpointAsync(id);
        Assert.Equal("Robot-Secret-1", Assert.IsType<BasicCredential>(endpoint!.Credential).Password);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/registries");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetInt32() == id && r.GetProperty("description").GetString() == "second");

        using var deleted = await client.DeleteAsync($"/api/v1/registries/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var gone = await client.GetAsync($"/api/v1/registries/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_api_never_returns_the_password()
    {
        using var client = app.CreateBasicClient();
        const string secret = "Never-Returned-Secret-77";

        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name = Unique("secret"), url = "https://r.example.com", type = "docker-registry", username = "u", password = secret });
        var createdText = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(createdText).RootElement.GetProperty("id").GetInt32();
        var oneText = await client.GetStringAsync($"/api/v1/registries/{id}");
        var listText = await client.GetStringAsync("/api/v1/registries");

        foreach (var text in new[] { createdText, oneText, listText })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"password\"", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("protectedPassword", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Trait("Storage", "Sqlite")]
    [Fact]
    public async Task A_saved_password_is_not_in_the_database_file_in_plain_text()
    {
        using var client = app.CreateBasicClient();
        var secret = $"Plain-Text-Canary-{Guid.NewGuid():N}";
        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name = Unique("canary"), url = "https://r.example.com", type = "docker-registry", username = "u", password = secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        // It is stored (the app can still use it) ...
        var endpoint = await app.Services.CreateScope().ServiceProvider.GetRequiredService<RegistryService>().GetClientEndpointAsync(id);
        Assert.Equal(secret, Assert.IsType<BasicCredential>(endpoint!.Credential).Password);

        // ... but neither the database nor its write-ahead log holds it readable, in UTF-8 or UTF-16. The log is read
        // before the database file: a checkpoint between the two reads (the app's other connections close too) moves
        // the row from the log into the file, where the second read finds it; the other order could miss it in both.
        SqliteConnection.ClearAllPools();
        var files = Directory.GetFiles(app.DataDirectory, "replication.db*").OrderBy(f => f.EndsWith("replication.db", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.EndsWith("replication.db", StringComparison.Ordinal));
        var utf8 = Encoding.UTF8.GetBytes(secret);
        var utf16 = Encoding.Unicode.GetBytes(secret);
        var sawColumnValue = false;
        foreach (var file in files)
        {
            if (ReadShared(file) is not { } bytes)
            {
                continue; // a log removed by the last connection's checkpoint: its rows are in the database file
            }

            Assert.True(bytes.AsSpan().IndexOf(utf8) < 0, $"{Path.GetFileName(file)} contains the password in UTF-8");
            Assert.True(bytes.AsSpan().IndexOf(utf16) < 0, $"{Path.GetFileName(file)} contains the password in UTF-16");
            sawColumnValue |= bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("CfDJ8")) >= 0;
        }

        // The Data Protection payload (base64url of its magic header) is what was written instead.
        Assert.True(sawColumnValue, "no protected payload found in the database files");
    }

    [Fact]
    public async Task Validation_errors_list_each_field_as_problem_details()
    {
        using var client = app.CreateBasicClient();

        using var response = await client.PostAsJsonAsync("/api/v1/registries", new { name = "", url = "ftp://x", type = "quay", username = "u" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("Name is required.", errors.GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("URL must start with https:// or http://", errors.GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Type must be", errors.GetProperty("type")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Password is required", errors.GetProperty("password")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_changes_nothing()
    {
        using var client = app.CreateBasicClient();
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/v1/registries")).GetArrayLength();

        using var response = await client.PostAsync("/api/v1/registries", new StringContent("{\"name\": \"x\", ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(before, (await client.GetFromJsonAsync<JsonElement>("/api/v1/registries")).GetArrayLength());
    }

    [Fact]
    public async Task A_duplicate_name_is_a_field_error()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("dup");
        using var first = await client.PostAsJsonAsync("/api/v1/registries", new { name, url = "https://a.example.com", type = "docker-registry" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await client.PostAsJsonAsync("/api/v1/registries", new { name = name.ToUpperInvariant(), url = "https://b.example.com", type = "docker-registry" });

        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        var errors = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("already exists", errors.GetProperty("name")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_get_404_problems()
    {
        using var client = app.CreateBasicClient();

        using var put = await client.PutAsJsonAsync("/api/v1/registries/999999", new { name = "x", url = "https://a.example.com", type = "docker-registry" });
        using var delete = await client.DeleteAsync("/api/v1/registries/999999");
        using var ping = await client.PostAsync("/api/v1/registries/999999/ping", null);

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ping.StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_but_gets_403_on_every_write()
    {
        using var admin = app.CreateBasicClient();
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = Unique("viewer"), url = "https://a.example.com", type = "docker-registry" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var viewer = app.CreateBasicClient(ViewerName, ViewerPassword);

        using var list = await viewer.GetAsync("/api/v1/registries");
        using var one = await viewer.GetAsync($"/api/v1/registries/{id}");
        using var post = await viewer.PostAsJsonAsync("/api/v1/registries", new { name = Unique("nope"), url = "https://a.example.com", type = "docker-registry" });
        using var put = await viewer.PutAsJsonAsync($"/api/v1/registries/{id}", new { name = "renamed", url = "https://a.example.com", type = "docker-registry" });
        using var delete = await viewer.DeleteAsync($"/api/v1/registries/{id}");
        using var ping = await viewer.PostAsync($"/api/v1/registries/{id}/ping", null);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ping.StatusCode);
        Assert.NotEqual("renamed", (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/registries/{id}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Registry_changes_are_audited_without_secrets()
    {
        using var client = app.CreateBasicClient();
        var name = Unique("audited");
        const string secret = "Audit-Must-Not-See-This-1";
        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name, url = "https://a.example.com", type = "docker-registry", username = "u", password = secret });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var updated = await client.PutAsJsonAsync($"/api/v1/registries/{id}", new { name, url = "https://a.example.com", type = "docker-registry", username = "u", password = secret + "2" });
        using var deleted = await client.DeleteAsync($"/api/v1/registries/{id}");

        var entries = (await app.Services.GetRequiredService<Replication.Admin.Audit.AuditLog>().RecentAsync(500))
            .Where(e => e.Target == $"registry '{name}'").ToList();

        Assert.Equal(["registry.create", "registry.update", "registry.delete"], entries.Select(e => e.Action).Reverse());
        Assert.All(entries, e => Assert.Equal(AdminAppFactory.AdminUserName, e.Who));
        Assert.Contains("password changed", entries.Single(e => e.Action == "registry.update").Details, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.DoesNotContain(secret, e.Details, StringComparison.Ordinal));
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static byte[]? ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
        catch (FileNotFoundException) when (!path.EndsWith("replication.db", StringComparison.Ordinal))
        {
            return null;
        }
    }
}
