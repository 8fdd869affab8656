using Replication.Registry.Content;

namespace Replication.Registry.Tests.Support;

/// <summary>The smallest faithful copy the client allows (children first, blobs streamed, manifest last): to prove round trips.</summary>
internal static class TestCopy
{
    public static async Task<Manifest> CopyAsync(IRegistryClient source, string sourceRepository, IRegistryClient destination, string destinationRepository, string reference)
    {
        var manifest = await source.GetManifestAsync(sourceRepository, reference);
        foreach (var child in manifest.Children)
        {
            await CopyAsync(source, sourceRepository, destination, destinationRepository, child.Digest);
        }

        foreach (var blob in manifest.Blobs)
        {
            if (await destination.HeadBlobAsync(destinationRepository, blob.Digest) is not null)
            {
                continue;
            }

            await destination.UploadBlobAsync(
                destinationRepository,
                blob,
                (offset, ct) => source.OpenBlobAsync(sourceRepository, blob.Digest, offset, ct));
        }

        await destination.PutManifestAsync(destinationRepository, reference, manifest);
        return manifest;
    }
}
