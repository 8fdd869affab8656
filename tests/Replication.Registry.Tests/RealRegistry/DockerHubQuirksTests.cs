using Microsoft.Extensions.Logging;
using Replication.Registry.Tests.Support;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

/// <summary>
/// Docker Hub's quirks against a real registry made to behave like it: a single name is an official image under
/// <c>library/</c> (token scopes included), and the pull limit announced in <c>ratelimit-*</c> headers is read with a
/// HEAD, which Docker Hub does not count.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class DockerHubQuirksTests(RegistryFixture registries) : IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_single_name_is_the_official_image_under_library_for_reading_and_writing()
    {
        var registry = await registries.TokenAsync();
        var name = "official" + Guid.NewGuid().ToString("N")[..8];
        using var pusher = new OciTestClient(registry);
        var image = await pusher.PushImageAsync($"library/{name}", "3");
        var hub = _factory.Create(Endpoints.For(registry) with { Product = RegistryProduct.DockerHub });
        var generic = _factory.Create(Endpoints.For(registry));

        Assert.Equal(["3"], await hub.ListTagsAsync(name).ToListAsync());
        Assert.Equal(image.Digest, (await hub.HeadManifestAsync(name, "3"))!.Digest);
        var manifest = await hub.GetManifestAsync(name, "3");
        Assert.Equal(image.Digest, manifest.Digest);
        Assert.Null(await generic.HeadManifestAsync(name, "3"));

        await hub.PutManifestAsync(name, "3-copy", manifest);
        Assert.Equal(image.Digest, await pusher.GetManifestDigestAsync($"library/{name}", "3-copy"));
        Assert.Empty(await pusher.ListTagsAsync(name));

        // Names with a namespace are left as they are.
        Assert.Equal(image.Digest, (await hub.HeadManifestAsync($"library/{name}", "3"))!.Digest);
    }

    [Fact]
    public async Task Test_Connection_reads_the_pull_limit_with_a_HEAD_that_spends_none_of_it()
    {
        var registry = await registries.AnonymousAsync();
        using (var pusher = new OciTestClient(registry))
        {
            await pusher.PushImageAsync(RegistryProductFacts.DockerHubRateLimitProbe, "latest");
        }

        await using var proxy = await FaultProxy.StartAsync(registry);
        proxy.LimitPulls(100, TimeSpan.FromHours(6));
        var hub = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(proxy.Url), Product = RegistryProduct.DockerHub });

        var ping = await hub.PingAsync();

        Assert.True(ping.Ok, ping.Message);
        Assert.Equal(new RateLimit(100, 100, TimeSpan.FromHours(6)), ping.RateLimit);
        Assert.EndsWith("pull rate limit: 100 of 100 left per 6 h", ping.Message, StringComparison.Ordinal);
        Assert.Equal(0, proxy.Count(RequestMatch.ManifestGet));
        Assert.Equal(1, proxy.Count(RequestMatch.ManifestHead.In(RegistryProductFacts.DockerHubRateLimitProbe)));

        // A generic registry is asked nothing beyond /v2/.
        var generic = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(proxy.Url) });
        proxy.ClearExchanges();
        Assert.True((await generic.PingAsync()).Ok);
        Assert.Equal(0, proxy.Count(RequestMatch.ManifestHead));
    }

    [Fact]
    public async Task A_spent_pull_limit_is_answered_429_and_the_client_reports_it()
    {
        var registry = await registries.AnonymousAsync();
        var repository = RegistryFixture.UniqueRepository("hub/app");
        using (var pusher = new OciTestClient(registry))
        {
            await pusher.PushImageAsync(repository, "v1");
        }

        await using var proxy = await FaultProxy.StartAsync(registry);
        proxy.LimitPulls(1, TimeSpan.FromHours(6));
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o => o.MaxAttempts = 1));
        var hub = factory.Create(new RegistryEndpoint { BaseUrl = new Uri(proxy.Url), Product = RegistryProduct.DockerHub });

        await hub.GetManifestAsync(repository, "v1");
        var refused = await Assert.ThrowsAnyAsync<RegistryException>(() => hub.GetManifestAsync(repository, "v1"));

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(0, proxy.PullsLeft);
        Assert.NotNull(await hub.HeadManifestAsync(repository, "v1"));
    }

    [Fact]
    public async Task The_limit_is_logged_when_first_seen_when_running_low_and_when_spent()
    {
        var registry = await registries.AnonymousAsync();
        var repository = RegistryFixture.UniqueRepository("hub/logged");
        using (var pusher = new OciTestClient(registry))
        {
            await pusher.PushImageAsync(repository, "v1");
        }

        await using var proxy = await FaultProxy.StartAsync(registry);
        proxy.LimitPulls(10, TimeSpan.FromHours(6));
        var logs = new LogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(), loggers);
        var hub = factory.Create(new RegistryEndpoint { BaseUrl = new Uri(proxy.Url), Product = RegistryProduct.DockerHub });

        for (var i = 0; i < 10; i++)
        {
            await hub.GetManifestAsync(repository, "v1");
        }

        var limit = logs.Messages.Where(m => m.Contains("pull rate limit", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, limit.Count);
        Assert.StartsWith("Information: ", limit[0], StringComparison.Ordinal);
        Assert.Contains("announces a pull rate limit: 9 of 10 left per 6 h", limit[0], StringComparison.Ordinal);
        Assert.StartsWith("Warning: ", limit[1], StringComparison.Ordinal);
        Assert.Contains("pull rate limit is running out: 1 of 10 left per 6 h", limit[1], StringComparison.Ordinal);
        Assert.Contains("pull rate limit is running out: 0 of 10 left per 6 h", limit[2], StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Messages, m => m.Contains("Authorization", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every formatted log message, in order.</summary>
    private sealed class LogCollector : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new Collecting(_messages);

        public void Dispose()
        {
        }

        private sealed class Collecting(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }

    [Theory]
    [InlineData("100;w=21600", "76;w=21600", 100, 76, 21600)]
    [InlineData("5000", "4999", 5000, 4999, null)]
    public void Rate_limit_headers_are_read_with_their_window(string limit, string remaining, int expectedLimit, int expectedRemaining, int? window)
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("RateLimit-Limit", limit);
        response.Headers.TryAddWithoutValidation("ratelimit-remaining", remaining);

        var read = RateLimit.From(response);

        Assert.Equal(new RateLimit(expectedLimit, expectedRemaining, window is null ? null : TimeSpan.FromSeconds(window.Value)), read);
    }

    [Fact]
    public void Missing_or_unreadable_rate_limit_headers_are_no_limit()
    {
        using var none = new HttpResponseMessage();
        using var garbled = new HttpResponseMessage();
        garbled.Headers.TryAddWithoutValidation("ratelimit-limit", "lots");
        garbled.Headers.TryAddWithoutValidation("ratelimit-remaining", "1");

        Assert.Null(RateLimit.From(none));
        Assert.Null(RateLimit.From(garbled));
    }
}
