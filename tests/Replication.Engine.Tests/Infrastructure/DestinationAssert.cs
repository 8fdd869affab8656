using System.Text.Json;
using Replication.Testing.Images;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>Checks what a registry holds with the fixtures' own client, never the product's.</summary>
public static class DestinationAssert
{
    /// <summary>The destination tag has the source tag's digest, and everything it refers to is there.</summary>
    public static async Task SameAsSourceAsync(OciTestClient source, string sourceRepository, OciTestClient destination, string destinationRepository, string tag)
    {
        var expected = await source.GetManifestDigestAsync(sourceRepository, tag);
        Assert.NotNull(expected);
        var actual = await destination.GetManifestDigestAsync(destinationRepository, tag);
        Assert.True(expected == actual, $"{destinationRepository}:{tag} is {actual ?? "missing"}, the source has {expected}");
        await CompleteAsync(destination, destinationRepository, tag);
    }

    /// <summary>Every child manifest and blob the manifest under <paramref name="reference"/> refers to exists in the repository.</summary>
    public static async Task CompleteAsync(OciTestClient registry, string repository, string reference)
    {
        var manifest = await registry.GetManifestAsync(repository, reference);
        Assert.True(manifest is not null, $"{repository}:{reference} is missing");
        using var json = JsonDocument.Parse(manifest.Bytes);
        if (json.RootElement.TryGetProperty("manifests", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                await CompleteAsync(registry, repository, child.GetProperty("digest").GetString()!);
            }

            return;
        }

        var blobs = new List<string> { json.RootElement.GetProperty("config").GetProperty("digest").GetString()! };
        blobs.AddRange(json.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
        foreach (var blob in blobs)
        {
            Assert.True(await registry.BlobExistsAsync(repository, blob), $"{repository}@{manifest.Digest} refers to {blob}, which is missing");
        }
    }

    /// <summary>Every tag of every repository in the project points at a complete image: nothing partial is visible.</summary>
    public static async Task NothingPartialAsync(OciTestClient registry, string project)
    {
        foreach (var repository in (await registry.ListRepositoriesAsync()).Where(r => r.StartsWith(project + "/", StringComparison.Ordinal)))
        {
            foreach (var tag in await registry.ListTagsAsync(repository))
            {
                await CompleteAsync(registry, repository, tag);
            }
        }
    }
}
