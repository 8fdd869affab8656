using System.Collections.Concurrent;
using Replication.Testing.Images;

namespace Replication.Benchmarks.Corpus;

/// <summary>
/// Proves a copy right with the fixtures' independent client: every repository holds exactly the source's tags, and
/// every tag's manifest digest equals the source's (the registry refuses a manifest whose blobs are missing, so an equal
/// digest means the whole image is there). A benchmark that copies wrongly is worthless.
/// </summary>
public static class DestinationCheck
{
    public static async Task VerifyTagsAsync(string destinationUrl, IReadOnlyList<PushedImage> expected, string scenario, CancellationToken cancellationToken)
    {
        using var destination = new OciTestClient(destinationUrl);
        var problems = new ConcurrentBag<string>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };

        await Parallel.ForEachAsync(expected.GroupBy(i => i.Repository, StringComparer.Ordinal), options, async (repository, token) =>
        {
            var tags = (await destination.ListTagsAsync(repository.Key, cancellationToken: token)).Order(StringComparer.Ordinal).ToList();
            var wanted = repository.Select(i => i.Tag!).Order(StringComparer.Ordinal).ToList();
            if (!tags.SequenceEqual(wanted, StringComparer.Ordinal))
            {
                problems.Add($"{repository.Key}: tags [{string.Join(", ", tags)}], expected [{string.Join(", ", wanted)}]");
            }
        });

        await Parallel.ForEachAsync(expected, options, async (image, token) =>
        {
            var digest = await destination.GetManifestDigestAsync(image.Repository, image.Tag!, token);
            if (digest != image.Digest)
            {
                problems.Add($"{image.Reference}: {digest ?? "missing"}, expected {image.Digest}");
            }
        });

        ThrowIfAny(problems, scenario, $"{expected.Count} tags");
    }

    public static async Task VerifyBlobsAsync(string destinationUrl, IReadOnlyList<CorpusBlob> expected, string scenario, CancellationToken cancellationToken)
    {
        using var destination = new OciTestClient(destinationUrl);
        var problems = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            expected,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                if (!await destination.BlobExistsAsync(blob.Repository, blob.Digest, token))
                {
                    problems.Add($"{blob.Repository}@{blob.Digest}: missing");
                }
            });

        ThrowIfAny(problems, scenario, $"{expected.Count} blobs");
    }

    private static void ThrowIfAny(ConcurrentBag<string> problems, string scenario, string what)
    {
        if (!problems.IsEmpty)
        {
            var sample = problems.Order(StringComparer.Ordinal).Take(10);
            throw new BenchmarkFailedException($"{scenario}: the destination differs from the source in {problems.Count} place(s):\n  " + string.Join("\n  ", sample));
        }

        Console.WriteLine($"    verified: {what} identical to the source");
    }
}
