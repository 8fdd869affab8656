using System.Net;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Fixtures;

[Collection(RegistryFixture.Collection)]
public sealed class FaultProxyTests(RegistryFixture registries)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });

    [Fact]
    public async Task Untouched_traffic_passes_and_locations_point_back_at_the_proxy()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);
        using var client = new OciTestClient(proxy.Url);
        var repository = RegistryFixture.UniqueRepository();

        var image = await client.PushImageAsync(repository, "v1", ImageSpec.WithLayers(1000, 70_000));
        using var upload = await Http.PostAsync(new Uri($"{proxy.Url}/v2/{repository}/blobs/uploads/"), null);

        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.StartsWith($"{proxy.Url}/v2/{repository}/blobs/uploads/", upload.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var direct = new OciTestClient(registry);
        Assert.Equal(image.Digest, await direct.GetManifestDigestAsync(repository, "v1"));
        var put = Assert.Single(proxy.Matching(RequestMatch.UploadPut.In(repository)), e => e.RequestBytes == 70_000);
        Assert.Equal(201, put.StatusCode);
        Assert.Equal(1, proxy.Count(RequestMatch.ManifestPut.In(repository)));
    }

    [Fact]
    public async Task Cut_response_shows_as_an_IOException_to_a_plain_HttpClient()
    {
        var registry = await registries.AnonymousAsync();
        using var client = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await client.PushImageAsync(repository, "v1", ImageSpec.WithLayers(1100, 256 * 1024));
        await using var proxy = await FaultProxy.StartAsync(registry);
        var blobUrl = new Uri($"{proxy.Url}/v2/{repository}/blobs/{image.Layers[0].Digest}");

        proxy.CutResponse(RequestMatch.BlobGet, afterBytes: 100_000);

        using (var response = await Http.GetAsync(blobUrl, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null));
        }

        var cut = Assert.Single(proxy.Matching(RequestMatch.BlobGet));
        Assert.Equal(100_000, cut.ResponseBytes);
        Assert.NotNull(cut.InjectedFault);

        // The fault was used up: the next download is whole.
        var again = await Http.GetByteArrayAsync(blobUrl);
        Assert.Equal(256 * 1024, again.Length);
    }

    [Fact]
    public async Task Burst_of_503_then_the_registry_answers()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);

        proxy.FailWith(RequestMatch.Of("GET", "^/v2/$"), times: 3);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await Http.GetAsync(new Uri($"{proxy.Url}/v2/"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal(0, proxy.PendingFaults);
    }

    [Fact]
    public async Task Throttle_answers_429_with_Retry_After()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);

        proxy.Throttle(RequestMatch.Catalog, TimeSpan.FromSeconds(2));

        using var throttled = await Http.GetAsync(new Uri($"{proxy.Url}/v2/_catalog"));
        using var next = await Http.GetAsync(new Uri($"{proxy.Url}/v2/_catalog"));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, proxy.Count(RequestMatch.Catalog));
    }

    [Fact]
    public async Task Cut_request_forwards_the_first_bytes_then_drops_the_connection()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);
        var repository = RegistryFixture.UniqueRepository();
        var location = await StartUploadAsync(proxy, repository);

        proxy.CutRequest(RequestMatch.UploadPatch, afterBytes: 64 * 1024);
        await Assert.ThrowsAsync<HttpRequestException>(() => PatchAsync(location, 512 * 1024));

        // The client can see the dropped connection before the proxy has logged the exchange: poll with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (proxy.Matching(RequestMatch.UploadPatch).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var cut = Assert.Single(proxy.Matching(RequestMatch.UploadPatch));
        Assert.Equal(64 * 1024, cut.RequestBytes);
        Assert.Equal(0, cut.StatusCode);
        // distribution 2.8 gives up an upload whose stored size no longer matches the state token: a chunk cut
        // midway cannot be resumed, only restarted.
        using var status = await Http.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task Chunk_cut_before_its_first_byte_leaves_the_upload_resumable()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);
        var repository = RegistryFixture.UniqueRepository();
        var location = await StartUploadAsync(proxy, repository);
        using var first = await PatchAsync(location, 64 * 1024);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var next = first.Headers.Location!;

        proxy.CutRequest(RequestMatch.UploadPatch, afterBytes: 0);
        await Assert.ThrowsAsync<HttpRequestException>(() => PatchAsync(next, 64 * 1024));

        using var status = await Http.GetAsync(next);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-65535", string.Join(",", status.Headers.GetValues("Range")));
        Assert.Equal([64 * 1024, 0], proxy.Matching(RequestMatch.UploadPatch).Select(e => e.RequestBytes));
    }

    [Fact]
    public async Task Paged_tag_lists_come_sorted_in_pages_linked_to_the_next()
    {
        var registry = await registries.AnonymousAsync();
        using var direct = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository("team/sub/app");
        var tags = Enumerable.Range(0, 23).Select(i => $"v{i:D2}").ToList();
        await direct.PushTagsAsync(repository, tags.AsEnumerable().Reverse(), ImageSpec.WithLayers(1200, 64));
        await using var proxy = await FaultProxy.StartAsync(registry);

        proxy.PageTagLists(maxPageSize: 10);

        using var first = await Http.GetAsync(new Uri($"{proxy.Url}/v2/{repository}/tags/list?n=50"));
        Assert.Equal($"</v2/{repository}/tags/list?n=10&last=v09>; rel=\"next\"", first.Headers.GetValues("Link").Single());
        using var through = new OciTestClient(proxy.Url);
        Assert.Equal(tags, await through.ListTagsAsync(repository, pageSize: 7));
        Assert.Equal(1 + 4, proxy.Count(RequestMatch.TagList.In(repository)));
    }

    private static async Task<Uri> StartUploadAsync(FaultProxy proxy, string repository)
    {
        using var start = await Http.PostAsync(new Uri($"{proxy.Url}/v2/{repository}/blobs/uploads/"), null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        return start.Headers.Location!;
    }

    private static async Task<HttpResponseMessage> PatchAsync(Uri location, int size)
    {
        using var chunk = new ByteArrayContent(new byte[size]);
        chunk.Headers.ContentType = new("application/octet-stream");
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = chunk };
        return await Http.SendAsync(patch);
    }

    [Fact]
    public async Task Delay_holds_requests_back_without_failing_them()
    {
        var registry = await registries.AnonymousAsync();
        await using var proxy = await FaultProxy.StartAsync(registry);

        proxy.Delay(RequestMatch.Any, TimeSpan.FromMilliseconds(200), times: 1);
        using var response = await Http.GetAsync(new Uri($"{proxy.Url}/v2/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, proxy.PendingFaults);
    }
}
