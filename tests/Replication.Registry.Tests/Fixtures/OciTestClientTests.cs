using System.Text.Json;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Fixtures;

[Collection(RegistryFixture.Collection)]
public sealed class OciTestClientTests(RegistryFixture registries)
{
    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Pushed_image_reads_back_in_every_auth_mode(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var client = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();

        var image = await client.PushImageAsync(repository, "v1", ImageSpec.WithLayers(seed: 100, 2048, 4096));

        Assert.Equal(image.Digest, await client.GetManifestDigestAsync(repository, "v1"));
        var fetched = await client.GetManifestAsync(repository, image.Digest);
        Assert.NotNull(fetched);
        Assert.Equal(image.Bytes.ToArray(), fetched.Bytes);
        Assert.Equal(MediaTypes.OciManifest, fetched.MediaType);
        Assert.Equal(["v1"], await client.ListTagsAsync(repository));
        foreach (var digest in image.BlobDigests)
        {
            Assert.True(await client.BlobExistsAsync(repository, digest));
        }

        Assert.Contains(repository, await client.ListRepositoriesAsync());
        Assert.Equal(image.Bytes.Length + image.Config.Size + 2048 + 4096, image.TotalSize);
    }

    [Fact]
    public async Task Same_spec_gives_the_same_digest_in_another_repository()
    {
        using var client = new OciTestClient(await registries.AnonymousAsync());
        var spec = ImageSpec.WithLayers(seed: 200, 1000);

        var first = await client.PushImageAsync(RegistryFixture.UniqueRepository(), "v1", spec);
        var second = await client.PushImageAsync(RegistryFixture.UniqueRepository("team/sub/app"), "v1", spec);

        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.Layers, second.Layers);
        Assert.Equal(second.Digest, await client.GetManifestDigestAsync(second.Repository, "v1"));
    }

    [Fact]
    public async Task Docker_schema2_image_is_served_with_its_media_type()
    {
        using var client = new OciTestClient(await registries.BasicAsync());
        var repository = RegistryFixture.UniqueRepository();

        var image = await client.PushImageAsync(repository, "latest", ImageSpec.WithLayers(300, 512) with { Format = ManifestFormat.Docker });

        var fetched = await client.GetManifestAsync(repository, "latest");
        Assert.Equal(MediaTypes.DockerManifest, fetched!.MediaType);
        Assert.Equal(image.Digest, fetched.Digest);
        Assert.All(image.Layers, l => Assert.Equal(MediaTypes.DockerLayerGzip, l.MediaType));
    }

    [Theory]
    [InlineData(ManifestFormat.Oci, MediaTypes.OciIndex)]
    [InlineData(ManifestFormat.Docker, MediaTypes.DockerManifestList)]
    public async Task Multi_platform_index_is_pushed_after_its_children(ManifestFormat format, string mediaType)
    {
        using var client = new OciTestClient(await registries.TokenAsync());
        var repository = RegistryFixture.UniqueRepository();

        var index = await client.PushIndexAsync(repository, "multi", ImageSpec.WithLayers(400, 1024), format);

        Assert.Equal(2, index.Manifests.Count);
        Assert.NotEqual(index.Manifests[0].Digest, index.Manifests[1].Digest);
        var fetched = await client.GetManifestAsync(repository, "multi");
        Assert.Equal(mediaType, fetched!.MediaType);
        Assert.Equal(index.Digest, fetched.Digest);
        foreach (var child in index.Manifests)
        {
            Assert.Equal(child.Digest, await client.GetManifestDigestAsync(repository, child.Digest));
        }

        using var json = JsonDocument.Parse(fetched.Bytes);
        Assert.Equal(["amd64", "arm64"], json.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()));
    }

    [Fact]
    public async Task Many_tags_list_across_pages()
    {
        using var client = new OciTestClient(await registries.AnonymousAsync());
        var repository = RegistryFixture.UniqueRepository();
        var tags = Enumerable.Range(0, 25).Select(i => $"t{i:D3}").ToList();

        var pushed = await client.PushTagsAsync(repository, tags, ImageSpec.WithLayers(500, 256));

        Assert.Single(pushed.Select(p => p.Digest).Distinct());
        // distribution 2.8 returns tags unordered (and ignores n), so compare as sets.
        Assert.Equal(tags, (await client.ListTagsAsync(repository, pageSize: 10)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Referrer_and_cosign_signature_point_at_their_subject()
    {
        using var client = new OciTestClient(await registries.AnonymousAsync());
        var repository = RegistryFixture.UniqueRepository();
        var subject = await client.PushImageAsync(repository, "v1", ImageSpec.WithLayers(600, 300));

        var sbom = await client.PushReferrerAsync(subject, "application/vnd.example.sbom.v1+json");
        var attestation = await client.PushReferrerAsync(subject, "application/vnd.example.attestation.v1+json");
        var signature = await client.PushCosignTagAsync(subject);

        var artifact = await client.GetManifestAsync(repository, sbom.Digest);
        using (var json = JsonDocument.Parse(artifact!.Bytes))
        {
            Assert.Equal(subject.Digest, json.RootElement.GetProperty("subject").GetProperty("digest").GetString());
            Assert.Equal("application/vnd.example.sbom.v1+json", json.RootElement.GetProperty("artifactType").GetString());
        }

        var fallback = await client.GetManifestAsync(repository, OciTestClient.ReferrersFallbackTag(subject.Digest));
        using (var json = JsonDocument.Parse(fallback!.Bytes))
        {
            Assert.Equal([sbom.Digest, attestation.Digest], json.RootElement.GetProperty("manifests").EnumerateArray()
                .Select(m => m.GetProperty("digest").GetString()));
        }

        Assert.Equal($"sha256-{subject.Digest[7..]}.sig", signature.Tag);
        Assert.Equal(signature.Digest, await client.GetManifestDigestAsync(repository, signature.Tag!));
        Assert.Contains(signature.Tag, await client.ListTagsAsync(repository));
    }

    [Fact]
    public async Task Deleted_manifest_is_gone()
    {
        using var client = new OciTestClient(await registries.BasicAsync());
        var repository = RegistryFixture.UniqueRepository();
        var image = await client.PushImageAsync(repository, "v1", ImageSpec.WithLayers(700, 128));

        await client.DeleteManifestAsync(repository, image.Digest);

        Assert.Null(await client.GetManifestDigestAsync(repository, image.Digest));
        Assert.Null(await client.GetManifestAsync(repository, "v1"));
    }

    [Fact]
    public async Task Large_layer_streams_up_and_back_with_its_digest()
    {
        using var client = new OciTestClient(await registries.AnonymousAsync());
        var repository = RegistryFixture.UniqueRepository();
        var layer = SeededBlob.Layer(seed: 800, size: 300L * 1024 * 1024);

        var image = await client.PushImageAsync(repository, "big", new ImageSpec { Layers = [layer] });

        Assert.Equal(300L * 1024 * 1024, image.Layers[0].Size);
        Assert.Equal(image.Layers[0].Digest, await client.ComputeBlobDigestAsync(repository, image.Layers[0].Digest));
    }
}
