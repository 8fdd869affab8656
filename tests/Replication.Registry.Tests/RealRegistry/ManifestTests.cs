using System.Net;
using Replication.Registry.Content;
using Replication.Registry.Tests.Support;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using TestMediaTypes = Replication.Testing.Images.MediaTypes;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class ManifestTests(RegistryFixture registries) : IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string> Kinds => ["oci-image", "docker-image", "oci-index", "docker-list"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_manifest_read_and_pushed_elsewhere_keeps_its_bytes_digest_and_type(string kind)
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.TokenAsync();
        using var sourcePusher = new OciTestClient(source);
        using var destinationReader = new OciTestClient(destination);
        var repository = RegistryFixture.UniqueRepository("src/" + kind);
        var spec = ImageSpec.WithLayers(seed: 4000 + kind.Length, 3000, 70_000);
        PushedManifest pushed = kind switch
        {
            "oci-image" => await sourcePusher.PushImageAsync(repository, "v1", spec),
            "docker-image" => await sourcePusher.PushImageAsync(repository, "v1", spec with { Format = ManifestFormat.Docker }),
            "oci-index" => await sourcePusher.PushIndexAsync(repository, "v1", spec),
            _ => await sourcePusher.PushIndexAsync(repository, "v1", spec, ManifestFormat.Docker),
        };
        var from = _factory.Create(Endpoints.For(source));
        var to = _factory.Create(Endpoints.For(destination));
        var target = RegistryFixture.UniqueRepository("dst/" + kind);

        var read = await from.GetManifestAsync(repository, "v1");
        Assert.Equal(pushed.Bytes.ToArray(), read.Bytes.ToArray());
        Assert.Equal(pushed.Digest, read.Digest);
        Assert.Equal(pushed.MediaType, read.MediaType);
        var head = await from.HeadManifestAsync(repository, "v1");
        Assert.Equal(new ManifestInfo(pushed.Digest, pushed.MediaType, pushed.Bytes.Length), head);

        await TestCopy.CopyAsync(from, repository, to, target, "v1");

        var copied = await destinationReader.GetManifestAsync(target, "v1");
        Assert.NotNull(copied);
        Assert.Equal(pushed.Bytes.ToArray(), copied.Bytes);
        Assert.Equal(pushed.Digest, copied.Digest);
        Assert.Equal(pushed.MediaType, copied.MediaType);
        foreach (var blob in pushed.BlobDigests)
        {
            Assert.Equal(blob, await destinationReader.ComputeBlobDigestAsync(target, blob));
        }
    }

    [Fact]
    public async Task Fetching_by_digest_verifies_the_digest_and_reports_the_media_type()
    {
        var registry = await registries.BasicAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var index = await pusher.PushIndexAsync(repository, "multi", ImageSpec.WithLayers(seed: 4100, 512));
        var client = _factory.Create(Endpoints.For(registry));

        var byDigest = await client.GetManifestAsync(repository, index.Digest);

        Assert.Equal(index.Digest, byDigest.Digest);
        Assert.True(byDigest.IsIndex);
        Assert.Equal(index.Manifests.Select(m => m.Digest), byDigest.Children.Select(c => c.Digest));
        Assert.Equal(["amd64", "arm64"], byDigest.Children.Select(c => c.Platform!.Architecture));
        var child = await client.GetManifestAsync(repository, index.Manifests[0].Digest);
        Assert.Equal(TestMediaTypes.OciManifest, child.MediaType);
        Assert.Equal(index.Manifests[0].Layers.Select(l => l.Digest), child.Blobs.Skip(1).Select(b => b.Digest));
    }

    [Fact]
    public async Task Missing_manifests_are_null_on_HEAD_and_MANIFEST_UNKNOWN_on_GET()
    {
        var registry = await registries.AnonymousAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        await pusher.PushImageAsync(repository, "v1");
        var client = _factory.Create(Endpoints.For(registry));

        Assert.Null(await client.HeadManifestAsync(repository, "nope"));
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(repository, "nope"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(RegistryErrorCodes.ManifestUnknown, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains($"read manifest {repository}:nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushing_a_manifest_whose_blobs_are_missing_is_refused_with_the_registry_code()
    {
        var registry = await registries.AnonymousAsync();
        using var pusher = new OciTestClient(registry);
        var image = await pusher.PushImageAsync(RegistryFixture.UniqueRepository(), "v1", ImageSpec.WithLayers(seed: 4200, 100));
        var client = _factory.Create(Endpoints.For(registry));
        var manifest = new Manifest(image.Bytes, image.MediaType, image.Digest);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync(RegistryFixture.UniqueRepository("empty"), "v1", manifest));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.True(error.HasCode(RegistryErrorCodes.ManifestBlobUnknown));
    }

    [Fact]
    public async Task Deleting_works_once_and_then_reports_the_manifest_gone()
    {
        var registry = await registries.AnonymousAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        var client = _factory.Create(Endpoints.For(registry));

        Assert.True(await client.DeleteManifestAsync(repository, image.Digest));
        Assert.False(await client.DeleteManifestAsync(repository, image.Digest));
        Assert.Null(await client.HeadManifestAsync(repository, image.Digest));
    }

    [Fact]
    public async Task Deleting_on_a_token_registry_gets_the_delete_scope()
    {
        var registry = await registries.TokenAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        var client = _factory.Create(Endpoints.For(registry));

        Assert.True(await client.DeleteManifestAsync(repository, image.Digest));
        Assert.Null(await pusher.GetManifestDigestAsync(repository, "v1"));
    }

    [Fact]
    public async Task Deleting_on_a_registry_with_deletion_disabled_says_so_with_UNSUPPORTED()
    {
        await using var registry = await RegistryFixture.StartDedicatedAsync(new RegistryOptions { DeleteEnabled = false });
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        var client = _factory.Create(Endpoints.For(registry));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.DeleteManifestAsync(repository, image.Digest));

        Assert.Equal(RegistryErrorCodes.Unsupported, error.Code);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Contains("deletion is disabled", error.Message, StringComparison.Ordinal);
        Assert.Equal(image.Digest, await pusher.GetManifestDigestAsync(repository, "v1"));
    }
}
