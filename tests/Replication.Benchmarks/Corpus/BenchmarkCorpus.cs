using System.Collections.Concurrent;
using System.Globalization;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Corpus;

/// <summary>One distinct blob of the corpus and a source repository that holds it.</summary>
public sealed record CorpusBlob(string Digest, long Size, string Repository);

/// <summary>
/// What the benchmark copies, pushed into the source registry with the fixtures' own client: project
/// <see cref="Project"/> with repositories <c>bench/app-NN</c> and tags <c>vN</c>, every image a shared base layer, a layer
/// of its repository and layers of its own; project <see cref="LargeProject"/> with one image of one large layer; and
/// project <see cref="WarmupProject"/>, a small image that warms the peak-memory process up before its baseline.
/// </summary>
public sealed class BenchmarkCorpus
{
    public const string Project = "bench";
    public const string LargeProject = "large";
    public const string WarmupProject = "warmup";

    // Seeds keep every layer's bytes (and so every digest) the same from one run to the next.
    private const long BaseSeed = 1;
    private const long RepositorySeed = 1_000;
    private const long TagSeed = 1_000_000;
    private const long LargeSeed = 9_000_000;
    private const long WarmupSeed = 9_500_000;

    private BenchmarkCorpus(IReadOnlyList<PushedImage> images, PushedImage? large, PushedImage warmup)
    {
        Images = images;
        Large = large;
        Warmup = warmup;
        Repositories = images.Select(i => i.Repository).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Blobs = images
            .SelectMany(i => new[] { i.Config }.Concat(i.Layers).Select(d => new CorpusBlob(d.Digest, d.Size, i.Repository)))
            .DistinctBy(b => b.Digest)
            .ToList();
        UniqueBytes = Blobs.Sum(b => b.Size);
    }

    /// <summary>Every tagged image of project <see cref="Project"/>.</summary>
    public IReadOnlyList<PushedImage> Images { get; }

    /// <summary>Repositories of project <see cref="Project"/>, sorted.</summary>
    public IReadOnlyList<string> Repositories { get; }

    /// <summary>Distinct blobs (configs and layers) of project <see cref="Project"/>: what a cold copy must move.</summary>
    public IReadOnlyList<CorpusBlob> Blobs { get; }

    /// <summary>Sum of <see cref="Blobs"/>' sizes.</summary>
    public long UniqueBytes { get; }

    /// <summary>The one-layer image of project <see cref="LargeProject"/>, when pushed.</summary>
    public PushedImage? Large { get; }

    /// <summary>The warm-up image of project <see cref="WarmupProject"/>.</summary>
    public PushedImage Warmup { get; }

    /// <summary>Pushes the corpus (with the warm-up image and, for the peak measurement, the large one) into <paramref name="source"/>.</summary>
    public static async Task<BenchmarkCorpus> PushAsync(RegistryProcess source, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        using var client = new OciTestClient(source) { ParallelUploads = 4 };
        var images = new ConcurrentBag<PushedImage>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Repositories),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (r, token) =>
            {
                var repository = RepositoryName(r);

                // Tags one after another: the first uploads the shared layers into the repository, the rest find them there.
                for (var t = 0; t < settings.Tags; t++)
                {
                    var tag = "v" + (t + 1).ToString(CultureInfo.InvariantCulture);
                    var layers = new List<SeededBlob>
                    {
                        SeededBlob.Layer(BaseSeed, settings.BaseLayerBytes),
                        SeededBlob.Layer(RepositorySeed + r, settings.RepositoryLayerBytes),
                    };
                    for (var l = 0; l < settings.TagLayers; l++)
                    {
                        layers.Add(SeededBlob.Layer(TagSeed + (r * 1_000L) + (t * 10L) + l, settings.TagLayerBytes));
                    }

                    var spec = new ImageSpec { Layers = layers, Label = $"{repository}:{tag}" };
                    images.Add(await client.PushImageAsync(repository, tag, spec, token));
                }
            });

        PushedImage? large = null;
        if (settings.Peak)
        {
            large = await client.PushImageAsync(
                $"{LargeProject}/layer",
                "v1",
                new ImageSpec { Layers = [SeededBlob.Layer(LargeSeed, settings.LargeLayerBytes)], Label = "large" },
                cancellationToken);
        }

        // Small enough to be quick, large enough to take the chunked upload path once.
        var chunked = settings.ClientOptions().MonolithicUploadLimitBytes + (1024 * 1024);
        var warmup = await client.PushImageAsync(
            $"{WarmupProject}/app",
            "v1",
            new ImageSpec { Layers = [SeededBlob.Layer(WarmupSeed, 256 * 1024), SeededBlob.Layer(WarmupSeed + 1, chunked)], Label = "warmup" },
            cancellationToken);

        var ordered = images.OrderBy(i => i.Repository, StringComparer.Ordinal).ThenBy(i => i.Tag, StringComparer.Ordinal).ToList();
        return new BenchmarkCorpus(ordered, large, warmup);
    }

    private static string RepositoryName(int index) => $"{Project}/app-{index.ToString("00", CultureInfo.InvariantCulture)}";
}
