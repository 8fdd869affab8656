using System.Net;
using Microsoft.Extensions.Time.Testing;
using Replication.Registry.Content;
using Replication.Registry.Tests.Support;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Replication.Testing.Time;
using Descriptor = Replication.Registry.Content.Descriptor;
using MediaTypes = Replication.Registry.Content.MediaTypes;

namespace Replication.Registry.Tests.RealRegistry;

/// <summary>Network faults injected by a proxy in front of a real registry.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class FaultTests(RegistryFixture registries)
{
    private const long MiB = 1024 * 1024;

    private static RegistryClientFactory ChunkedFactory(TimeProvider? time = null) => new(
        Endpoints.QuickRetries(o =>
        {
            o.MonolithicUploadLimitBytes = MiB;
            o.ChunkSizeBytes = MiB;
        }),
        timeProvider: time);

    private static async Task<(FaultProxy Proxy, RegistryClient Client, RegistryProcess Registry)> ThroughProxyAsync(RegistryProcess registry, RegistryClientFactory factory)
    {
        var proxy = await FaultProxy.StartAsync(registry);
        var client = (RegistryClient)factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        return (proxy, client, registry);
    }

    private static async Task<Descriptor> DescribeAsync(SeededBlob blob) =>
        new() { MediaType = MediaTypes.OciLayer, Digest = await blob.GetDigestAsync(), Size = blob.Size };

    private static long BytesForwarded(FaultProxy proxy, string repository) =>
        proxy.Matching(RequestMatch.UploadPatch.In(repository)).Sum(e => e.RequestBytes)
        + proxy.Matching(RequestMatch.UploadPut.In(repository)).Sum(e => e.RequestBytes);

    [Fact]
    public async Task A_connection_cut_mid_upload_resumes_from_the_registry_range_without_resending()
    {
        using var factory = ChunkedFactory();
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.AnonymousAsync(), factory);
        await using var _ = proxy;
        using var reader = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 7000, size: (8 * MiB) + 99);
        var descriptor = await DescribeAsync(blob);
        var armed = 0;
        var progress = new InlineProgress(position =>
        {
            // Once three chunks are in, cut the next PATCH's connection before the registry gets a byte of it.
            if (position >= 3 * MiB && Interlocked.Exchange(ref armed, 1) == 0)
            {
                proxy.CutRequest(RequestMatch.UploadPatch.In(repository), afterBytes: 0);
            }
        });

        await client.UploadBlobAsync(repository, descriptor, new CountingSource(blob).OpenAsync, progress);

        Assert.Equal(0, proxy.PendingFaults);
        Assert.Equal((1, 0), UploadTraffic.Recovery(proxy, repository));
        Assert.Contains(proxy.Exchanges, e => e.Method == "GET" && e.Path.Contains("/blobs/uploads/", StringComparison.Ordinal));
        var forwarded = BytesForwarded(proxy, repository);
        Assert.True(forwarded - blob.Size < blob.Size / 4, $"{forwarded} bytes reached the registry for a {blob.Size}-byte blob");
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Fact]
    public async Task A_cut_after_part_of_a_chunk_arrived_ends_in_a_complete_blob_even_when_the_registry_drops_the_session()
    {
        // distribution 2.8 refuses to resume a session whose size differs from its signed state, so here the
        // client must start again; what matters is that it notices and still delivers the right blob.
        using var factory = ChunkedFactory();
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.AnonymousAsync(), factory);
        await using var _ = proxy;
        using var reader = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 7100, size: (4 * MiB) + 5);
        var descriptor = await DescribeAsync(blob);
        var armed = 0;
        var progress = new InlineProgress(position =>
        {
            if (position >= 2 * MiB && Interlocked.Exchange(ref armed, 1) == 0)
            {
                proxy.CutRequest(RequestMatch.UploadPatch.In(repository), afterBytes: 300_000);
            }
        });

        await client.UploadBlobAsync(repository, descriptor, new CountingSource(blob).OpenAsync, progress);

        Assert.Equal(1, UploadTraffic.Faults(proxy, repository));
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Fact]
    public async Task A_burst_of_503_during_an_upload_resumes_instead_of_restarting()
    {
        using var factory = ChunkedFactory();
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.BasicAsync(), factory);
        await using var _ = proxy;
        using var reader = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 7200, size: 5 * MiB);
        var descriptor = await DescribeAsync(blob);
        var armed = 0;
        var progress = new InlineProgress(position =>
        {
            if (position >= 2 * MiB && Interlocked.Exchange(ref armed, 1) == 0)
            {
                proxy.FailWith(RequestMatch.UploadPatch.In(repository), times: 3);
            }
        });

        await client.UploadBlobAsync(repository, descriptor, new CountingSource(blob).OpenAsync, progress);

        Assert.Equal((3, 0), UploadTraffic.Recovery(proxy, repository));
        Assert.Equal(3, proxy.Matching(RequestMatch.UploadPatch.In(repository)).Count(e => e.StatusCode == 503));
        Assert.Equal(blob.Size, BytesForwarded(proxy, repository));
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Fact]
    public async Task A_burst_of_503_on_a_read_is_retried_until_it_succeeds()
    {
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries());
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.TokenAsync(), factory);
        await using var _ = proxy;
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        proxy.FailWith(RequestMatch.ManifestGet.In(repository), times: 3);

        var manifest = await client.GetManifestAsync(repository, "v1");

        Assert.Equal(image.Digest, manifest.Digest);
        Assert.Equal([503, 503, 503, 200], proxy.Matching(RequestMatch.ManifestGet.In(repository)).Select(e => e.StatusCode).Where(s => s != 401));
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts_with_a_transient_error()
    {
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o => o.MaxAttempts = 3));
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.AnonymousAsync(), factory);
        await using var _ = proxy;
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        await pusher.PushImageAsync(repository, "v1");
        proxy.FailWith(RequestMatch.ManifestGet.In(repository), times: 10);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(repository, "v1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, proxy.Count(RequestMatch.ManifestGet.In(repository)));
    }

    [Fact]
    public async Task A_429_with_Retry_After_holds_back_every_request_to_that_host_for_as_long_as_it_asked()
    {
        var time = new WatchedTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o => o.MaxRetryDelay = TimeSpan.FromMinutes(2)), timeProvider: time);
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.AnonymousAsync(), factory);
        await using var _ = proxy;
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        proxy.Throttle(RequestMatch.ManifestGet.In(repository), TimeSpan.FromSeconds(30));

        var throttled = client.GetManifestAsync(repository, "v1");
        await Poll.UntilAsync(() => factory.PausedUntil(new Uri(proxy.Url)) > time.GetUtcNow(), "the client took the 429 in");
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), factory.PausedUntil(new Uri(proxy.Url)));
        var other = factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) }).HeadBlobAsync(repository, image.Config.Digest);

        // Both are parked on the clock (the retry of the 429, the other request behind the host's pause), each for the
        // whole 30 s; nothing else moves them, so what has not happened yet cannot happen until the clock does.
        var waits = await time.WaitForWaitsAsync(2, TimeSpan.FromSeconds(30));
        Assert.All(waits, wait => Assert.True(wait >= TimeSpan.FromSeconds(30), $"a request waited only {wait}"));
        Assert.False(throttled.IsCompleted);
        Assert.False(other.IsCompleted);
        Assert.Equal(0, proxy.Count(RequestMatch.BlobHead));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(throttled.IsCompleted);
        Assert.False(other.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        var manifest = await throttled.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(image.Digest, manifest.Digest);
        Assert.Equal(image.Config.Size, await other.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_download_cut_mid_stream_surfaces_as_a_transient_error()
    {
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries());
        var (proxy, client, registry) = await ThroughProxyAsync(await registries.AnonymousAsync(), factory);
        await using var _ = proxy;
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var layer = await pusher.PushBlobAsync(repository, SeededBlob.Layer(seed: 7300, size: 2 * MiB));
        proxy.CutResponse(RequestMatch.BlobGet.In(repository), afterBytes: 100_000);

        await using var stream = await client.OpenBlobAsync(repository, layer.Digest);
        var error = await Assert.ThrowsAsync<RegistryException>(() => stream.CopyToAsync(Stream.Null));

        Assert.True(error.IsTransient);
        Assert.Contains("broke off", error.Message, StringComparison.Ordinal);
        await using var again = await client.OpenBlobAsync(repository, layer.Digest, 100_000);
        var rest = new MemoryStream();
        await again.CopyToAsync(rest);
        Assert.Equal((2 * MiB) - 100_000, rest.Length);
    }

    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
