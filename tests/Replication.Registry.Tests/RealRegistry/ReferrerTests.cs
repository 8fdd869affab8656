using Replication.Registry.Content;
using Replication.Registry.Tests.Support;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class ReferrerTests(RegistryFixture registries) : IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Without_a_referrers_API_the_tag_schema_index_lists_the_referrers(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1", ImageSpec.WithLayers(seed: 6000, 256));
        var sbom = await pusher.PushReferrerAsync(image, "application/vnd.example.sbom.v1+json");
        var signature = await pusher.PushReferrerAsync(image, "application/vnd.example.signature.v1+json");
        var client = _factory.Create(Endpoints.For(registry));

        Assert.Equal(ReferrersApiAnswer.Unsupported, await client.GetReferrersFromApiAsync(repository, image.Digest));
        var referrers = await client.GetReferrersFromTagAsync(repository, image.Digest);

        Assert.Equal(new[] { sbom.Digest, signature.Digest }.Order(), referrers.Select(r => r.Digest).Order());
        Assert.Contains(referrers, r => r.ArtifactType == "application/vnd.example.sbom.v1+json");
        var referrer = await client.GetManifestAsync(repository, sbom.Digest);
        Assert.Equal(image.Digest, referrer.Subject?.Digest);
    }

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task One_referrers_request_tells_that_distribution_has_no_referrers_API(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1", ImageSpec.WithLayers(seed: 6200, 256));
        await pusher.PushReferrerAsync(image);
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = _factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });

        var answer = await client.GetReferrersFromApiAsync(repository, image.Digest);

        // Not Unknown: the 404 is about the registry, not this digest, so a copier can stop asking it.
        Assert.Equal(ReferrersApiAnswer.Unsupported, answer);
        Assert.Single(proxy.Exchanges, e => e.StatusCode != 401);
        Assert.Equal(404, proxy.Exchanges[^1].StatusCode);
    }

    [Fact]
    public async Task The_tag_schema_index_is_read_with_one_request_whether_or_not_it_exists()
    {
        var registry = await registries.BasicAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1", ImageSpec.WithLayers(seed: 6300, 256));
        var unreferred = await pusher.PushImageAsync(repository, "v2", ImageSpec.WithLayers(seed: 6310, 256));
        var sbom = await pusher.PushReferrerAsync(image);
        await using var proxy = await FaultProxy.StartAsync(registry);
        var client = _factory.Create(Endpoints.For(registry) with { BaseUrl = new Uri(proxy.Url) });
        await client.HeadManifestAsync(repository, "v1"); // meets the auth challenge first
        proxy.ClearExchanges();

        var found = await client.GetReferrersFromTagAsync(repository, image.Digest);
        var none = await client.GetReferrersFromTagAsync(repository, unreferred.Digest);

        Assert.Equal([sbom.Digest], found.Select(r => r.Digest));
        Assert.Empty(none);
        Assert.Equal(2, proxy.Exchanges.Count);
        Assert.All(proxy.Exchanges, e => Assert.Equal("GET", e.Method));
    }

    [Fact]
    public async Task A_manifest_nothing_refers_to_has_no_referrers()
    {
        var registry = await registries.AnonymousAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1");
        var client = _factory.Create(Endpoints.For(registry));

        Assert.Empty(await client.GetReferrersFromTagAsync(repository, image.Digest));
        Assert.Empty(await AttachedAsync(client, repository, image.Digest));
    }

    [Fact]
    public async Task Cosign_signature_attestation_and_referrers_index_tags_are_found_for_a_digest()
    {
        var registry = await registries.BasicAsync();
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var image = await pusher.PushImageAsync(repository, "v1", ImageSpec.WithLayers(seed: 6100, 256));
        var signature = await pusher.PushCosignTagAsync(image, "sig");
        var attestation = await pusher.PushCosignTagAsync(image, "att");
        await pusher.PushReferrerAsync(image);
        var client = _factory.Create(Endpoints.For(registry));

        var attached = await AttachedAsync(client, repository, image.Digest);

        Assert.Equal(
            [AttachmentKind.ReferrersIndex, AttachmentKind.Signature, AttachmentKind.Attestation],
            attached.Select(a => a.Kind));
        Assert.Equal(signature.Digest, attached.Single(a => a.Kind == AttachmentKind.Signature).Manifest.Digest);
        Assert.Equal(attestation.Digest, attached.Single(a => a.Kind == AttachmentKind.Attestation).Manifest.Digest);
        Assert.Equal(OciTestClient.CosignTag(image.Digest), attached.Single(a => a.Kind == AttachmentKind.Signature).Tag);
        var tags = await client.ListTagsAsync(repository).ToListAsync();
        Assert.Equal(3, tags.Count(t => AttachmentTags.TryParse(t, out var d, out _) && d == image.Digest));
    }

    /// <summary>The attachment tags of <paramref name="digest"/> that exist, one HEAD per candidate name.</summary>
    private static async Task<List<(string Tag, AttachmentKind Kind, ManifestInfo Manifest)>> AttachedAsync(IRegistryClient client, string repository, string digest)
    {
        var found = new List<(string Tag, AttachmentKind Kind, ManifestInfo Manifest)>();
        foreach (var (tag, kind) in AttachmentTags.For(digest))
        {
            if (await client.HeadManifestAsync(repository, tag) is { } info)
            {
                found.Add((tag, kind, info));
            }
        }

        return found;
    }
}
