using System.Diagnostics;
using System.Security.Cryptography;
using Replication.Registry.Content;
using Replication.Registry.Tests.Support;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Descriptor = Replication.Registry.Content.Descriptor;
using MediaTypes = Replication.Registry.Content.MediaTypes;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class BlobTests(RegistryFixture registries) : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    private static async Task<Descriptor> DescribeAsync(SeededBlob blob) =>
        new() { MediaType = MediaTypes.OciLayer, Digest = await blob.GetDigestAsync(), Size = blob.Size };

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task A_small_blob_goes_up_in_one_PUT_and_reads_back_whole_and_from_an_offset(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var reader = new OciTestClient(registry);
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = _factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 5000, size: 300_000);
        var descriptor = await DescribeAsync(blob);
        var source = new CountingSource(blob);
        var progress = new List<long>();

        await client.UploadBlobAsync(repository, descriptor, source.OpenAsync, new SyncProgress(progress.Add));

        Assert.False(UploadTraffic.Chunked(proxy, repository));
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
        Assert.Equal(blob.Size, await client.HeadBlobAsync(repository, descriptor.Digest));
        Assert.Equal(blob.Size, progress[^1]);
        Assert.Equal(progress.Order(), progress);

        await using (var whole = await client.OpenBlobAsync(repository, descriptor.Digest))
        {
            Assert.Equal(descriptor.Digest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(whole)));
        }

        await using var tail = await client.OpenBlobAsync(repository, descriptor.Digest, 250_000);
        using var expected = blob.OpenRead();
        var all = new byte[blob.Size];
        await expected.ReadExactlyAsync(all);
        var rest = new MemoryStream();
        await tail.CopyToAsync(rest);
        Assert.Equal(all.AsSpan(250_000).ToArray(), rest.ToArray());
    }

    [Fact]
    public async Task A_large_blob_goes_up_in_PATCH_chunks_following_the_newest_Location()
    {
        var registry = await registries.TokenAsync();
        using var reader = new OciTestClient(registry);
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o =>
        {
            o.MonolithicUploadLimitBytes = MiB;
            o.ChunkSizeBytes = MiB;
        }));
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 5100, size: (5 * MiB) + 12345);
        var descriptor = await DescribeAsync(blob);

        await client.UploadBlobAsync(repository, descriptor, new CountingSource(blob).OpenAsync);

        Assert.True(UploadTraffic.Chunked(proxy, repository));
        Assert.Equal((0, 0), UploadTraffic.Recovery(proxy, repository));
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Fact]
    public async Task A_300_MiB_blob_streams_up_in_chunks_with_memory_far_below_its_size()
    {
        var registry = await registries.AnonymousAsync();
        using var reader = new OciTestClient(registry);
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = _factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        var repository = RegistryFixture.UniqueRepository("big");
        var blob = SeededBlob.Layer(seed: 5200, size: 300 * MiB);
        var descriptor = await DescribeAsync(blob);
        var source = new CountingSource(blob);
        long reported = 0;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                try
                {
                    await Task.Delay(20, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        await client.UploadBlobAsync(repository, descriptor, source.OpenAsync, new SyncProgress(p => reported = p));
        await sampling.CancelAsync();
        await sampler;

        Assert.True(UploadTraffic.Chunked(proxy, repository));
        Assert.Equal(blob.Size, reported);
        Assert.Equal(blob.Size, source.BytesRead);
        var growthMiB = (peak - baseline) / (double)MiB;
        Assert.True(growthMiB < 64, $"working set grew by {growthMiB:0.0} MiB while uploading a 300 MiB blob");
        Assert.Equal(blob.Size, await client.HeadBlobAsync(repository, descriptor.Digest));
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Content_that_does_not_match_its_digest_is_refused_and_never_completed(bool chunked)
    {
        var registry = await registries.AnonymousAsync();
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o =>
        {
            o.MonolithicUploadLimitBytes = chunked ? MiB : 16 * MiB;
            o.ChunkSizeBytes = MiB;
        }));
        var client = factory.Create(Endpoints.For(registry));
        var repository = RegistryFixture.UniqueRepository();
        var claimed = SeededBlob.Layer(seed: 5300, size: (2 * MiB) + 7);
        var actual = SeededBlob.Layer(seed: 5301, size: claimed.Size);
        var descriptor = await DescribeAsync(claimed);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            client.UploadBlobAsync(repository, descriptor, new CountingSource(actual).OpenAsync));

        Assert.Equal(descriptor.Digest, error.Expected);
        Assert.Equal(await actual.GetDigestAsync(), error.Actual);
        Assert.Null(await client.HeadBlobAsync(repository, descriptor.Digest));
        Assert.Null(await client.HeadBlobAsync(repository, await actual.GetDigestAsync()));
    }

    [Fact]
    public async Task A_source_that_fails_at_a_chunk_boundary_is_reopened_where_the_registry_stopped()
    {
        var registry = await registries.AnonymousAsync();
        using var reader = new OciTestClient(registry);
        using var factory = new RegistryClientFactory(Endpoints.QuickRetries(o =>
        {
            o.MonolithicUploadLimitBytes = MiB;
            o.ChunkSizeBytes = 2 * MiB;
        }));
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        var repository = RegistryFixture.UniqueRepository();
        var blob = SeededBlob.Layer(seed: 5400, size: 9 * MiB);
        var descriptor = await DescribeAsync(blob);
        var source = new CountingSource(blob) { FailOnceAt = 4 * MiB };

        await client.UploadBlobAsync(repository, descriptor, source.OpenAsync);

        Assert.Equal([0L, 4 * MiB], source.Opens);
        Assert.Equal(0, UploadTraffic.Restarts(proxy, repository));
        Assert.Equal(blob.Size, source.BytesRead);
        Assert.Equal(descriptor.Digest, await reader.ComputeBlobDigestAsync(repository, descriptor.Digest));
    }

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task A_blob_is_mounted_across_repositories_and_an_absent_one_is_not(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var pusher = new OciTestClient(registry);
        var from = RegistryFixture.UniqueRepository("base");
        var to = RegistryFixture.UniqueRepository("app");
        var layer = await pusher.PushBlobAsync(from, SeededBlob.Layer(seed: 5500, size: 4096));
        var client = _factory.Create(Endpoints.For(registry));

        Assert.True(await client.TryMountBlobAsync(to, layer.Digest, from));
        Assert.Equal(4096, await client.HeadBlobAsync(to, layer.Digest));
        Assert.False(await client.TryMountBlobAsync(to, await SeededBlob.Layer(seed: 5501, size: 10).GetDigestAsync(), from));

        if (mode == RegistryAuthMode.Token)
        {
            // The mount's token carried pull on the source repository next to push on the target: a real mount, not an upload.
            Assert.Contains(registry.TokenIssuer!.Grants, g =>
                g.Access.Any(a => a.Name == to && a.Actions.Contains("push"))
                && g.Access.Any(a => a.Name == from && a.Actions.Contains("pull")));
        }
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
