using Microsoft.Extensions.Time.Testing;
using Replication.Registry.Auth;
using Replication.Registry.Tests.Support;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class TokenTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_token_is_reused_per_scope_and_fetched_again_once_it_is_about_to_expire()
    {
        var registry = await registries.TokenAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        await pusher.PushImageAsync(repository, "v1");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(), timeProvider: time);
        var endpoint = Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) };
        var client = (RegistryClient)factory.Create(endpoint);

        await client.ListTagsAsync(repository).ToListAsync();
        var afterFirst = client.Auth.TokenFetches;
        await client.ListTagsAsync(repository).ToListAsync();
        await ((RegistryClient)factory.Create(endpoint)).HeadManifestAsync(repository, "v1");
        Assert.Equal(afterFirst, client.Auth.TokenFetches); // same scope, new client: the cached token serves

        time.Advance(registry.TokenIssuer!.TokenLifetime);
        await client.ListTagsAsync(repository).ToListAsync();

        Assert.Equal(afterFirst + 1, client.Auth.TokenFetches);
        // Only the very first request met a 401: the expiring token was replaced before the registry could refuse it.
        Assert.Equal(1, proxy.Exchanges.Count(e => e.StatusCode == 401));
    }

    [Fact]
    public async Task A_token_the_registry_refuses_is_dropped_and_a_fresh_one_fetched()
    {
        var registry = await registries.TokenAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        await pusher.PushImageAsync(repository, "v1");
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries());
        var client = (RegistryClient)factory.Create(Endpoints.For(registry));
        await client.PingAsync(); // learns that the registry wants bearer tokens

        // A valid signature for the wrong repository: what an expired or revoked token looks like to the client.
        var stale = registry.TokenIssuer!.MintToken(registry.UserName!, "repository:someone/else:pull");
        client.Auth.Remember(Scopes.Pull(repository), stale, DateTimeOffset.UtcNow.AddHours(1));
        var before = client.Auth.TokenFetches;

        var info = await client.HeadManifestAsync(repository, "v1");

        Assert.NotNull(info);
        Assert.Equal(before + 1, client.Auth.TokenFetches);
    }

    [Fact]
    public async Task A_token_credential_is_exchanged_for_registry_tokens()
    {
        var robot = new RegistryUser("token", "pat-" + Guid.NewGuid().ToString("N"));
        await using var registry = await RegistryFixture.StartDedicatedAsync(new RegistryOptions { Auth = RegistryAuthMode.Token, Users = [robot] });
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        await pusher.PushImageAsync(repository, "v1");
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries());
        var client = factory.Create(new RegistryEndpoint { BaseUrl = new Uri(registry.Url), Credential = RegistryCredential.BearerToken(robot.Password) });

        Assert.Equal(PingOutcome.Ok, (await client.PingAsync()).Outcome);
        Assert.Equal(["v1"], await client.ListTagsAsync(repository).ToListAsync());
    }
}
