using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Fixtures;

/// <summary>Tests that own their registry: stop and restart, dispose, users, token lifetime, notifications, options.</summary>
public sealed class RegistryLifecycleTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task Stop_and_restart_keep_port_and_content()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryOptions.Basic);
        using var client = new OciTestClient(registry);
        var image = await client.PushImageAsync("team/app", "v1", ImageSpec.WithLayers(2000, 4096));
        var port = registry.Port;

        await registry.StopAsync();
        Assert.False(registry.IsRunning);
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(new Uri($"{registry.Url}/v2/")));

        await registry.RestartAsync();

        Assert.True(registry.IsRunning);
        Assert.Equal(port, registry.Port);
        Assert.Equal(image.Digest, await client.GetManifestDigestAsync("team/app", "v1"));
    }

    [Fact]
    public async Task Dispose_leaves_no_process_and_no_directory()
    {
        var registry = await RegistryProcess.StartAsync(RegistryOptions.Token);
        var directory = registry.Directory;
        Assert.NotEmpty(ProcessesMentioning(directory));
        Assert.True(Directory.Exists(directory));

        await registry.DisposeAsync();

        Assert.Empty(ProcessesMentioning(directory));
        Assert.False(Directory.Exists(directory));
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(new Uri(registry.TokenIssuer!.Realm)));
    }

    [Fact]
    public async Task Failed_restart_reports_the_registry_output_and_leaves_no_process()
    {
        await using var registry = await RegistryProcess.StartAsync();
        await registry.StopAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, registry.Port);
        squatter.Start();

        var error = await Assert.ThrowsAsync<RegistryStartException>(() => registry.RestartAsync());

        Assert.Contains("address already in use", error.Message, StringComparison.Ordinal);
        Assert.Empty(ProcessesMentioning(registry.Directory));
        Assert.False(registry.IsRunning);
    }

    [Fact]
    public async Task Pull_only_user_gets_a_token_that_cannot_push()
    {
        var puller = RegistryUser.PullOnly("puller");
        var pusher = RegistryUser.Create("pusher");
        await using var registry = await RegistryProcess.StartAsync(new RegistryOptions { Auth = RegistryAuthMode.Token, Users = [pusher, puller] });
        using (var owner = new OciTestClient(registry))
        {
            await owner.PushImageAsync("team/app", "v1");
        }

        using var reader = new OciTestClient(registry.Url, puller.Name, puller.Password);

        Assert.NotNull(await reader.GetManifestDigestAsync("team/app", "v1"));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => reader.PushImageAsync("team/app", "v2"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("pusher", registry.UserName);
        Assert.Contains(registry.TokenIssuer!.Grants, g => g.Subject == "puller" && g.Access.Any(a => a.Name == "team/app" && !a.Actions.Contains("push")));
    }

    [Fact]
    public async Task Minted_token_is_accepted_and_issued_tokens_state_their_lifetime()
    {
        await using var registry = await RegistryProcess.StartAsync(new RegistryOptions { Auth = RegistryAuthMode.Token, TokenLifetime = TimeSpan.FromSeconds(3) });
        var issuer = registry.TokenIssuer!;
        var token = issuer.MintToken("someone", "registry:catalog:*");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{registry.Url}/v2/_catalog");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        using var tokenResponse = await FetchTokenResponseAsync(registry);
        var body = await tokenResponse.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"expires_in\":3", body, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":", body, StringComparison.Ordinal);
        Assert.Contains("\"issued_at\":", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_without_delete_refuses_manifest_deletion()
    {
        await using var registry = await RegistryProcess.StartAsync(new RegistryOptions { DeleteEnabled = false });
        using var client = new OciTestClient(registry);
        var image = await client.PushImageAsync("team/app", "v1");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.DeleteManifestAsync("team/app", image.Digest));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
    }

    [Fact]
    public async Task Notifications_reach_the_configured_endpoint_with_its_headers()
    {
        await using var recorder = await NotificationRecorder.StartAsync();
        await using var registry = await RegistryProcess.StartAsync(new RegistryOptions
        {
            Notifications = [recorder.Endpoint("s3cret") with { IgnoredActions = ["pull"] }],
        });
        using var client = new OciTestClient(registry);

        var image = await client.PushImageAsync("team/app", "v1");

        var push = await recorder.WaitForEventAsync("push", "team/app", tag: "v1");
        Assert.Equal(image.Digest, push.GetProperty("target").GetProperty("digest").GetString());
        var envelope = recorder.Received[0];
        Assert.Equal("Bearer s3cret", envelope.Authorization);
        Assert.StartsWith("application/vnd.docker.distribution.events.v1+json", envelope.ContentType, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", envelope.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifications_configured_later_apply_after_a_restart()
    {
        await using var recorder = await NotificationRecorder.StartAsync();
        await using var registry = await RegistryProcess.StartAsync();

        registry.ConfigureNotifications([recorder.Endpoint()]);
        await registry.RestartAsync();
        using var client = new OciTestClient(registry);
        await client.PushImageAsync("late/app", "v1");

        await recorder.WaitForEventAsync("push", "late/app", tag: "v1");
    }

    [Fact]
    public void Secrets_stay_out_of_ToString()
    {
        var user = RegistryUser.Create("alice");
        var endpoint = NotificationEndpoint.WithBearer("app", "http://127.0.0.1:1/e", "topsecret");

        Assert.DoesNotContain(user.Password, user.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", endpoint.ToString(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> FetchTokenResponseAsync(RegistryProcess registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{registry.TokenIssuer!.Realm}?service={registry.TokenIssuer.Service}&scope=repository:a/b:pull");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.UserName}:{registry.Password}")));
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>Live processes whose command line names the path (zombies have none).</summary>
    private static List<int> ProcessesMentioning(string path)
    {
        var found = new List<int>();
        foreach (var entry in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(path, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }

        return found;
    }
}
