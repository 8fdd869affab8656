using System.Diagnostics;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Registry;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// One rule over many small images (<c>--scale</c>): the corpus written into the source registry's storage, then the
/// dry run (the plan against an empty destination), the engine's cold and warm runs (the warm one with the record of
/// what the cold one pushed, as the app keeps it), and <c>skopeo sync</c> cold and warm on a subset of repositories
/// next to the engine on the same subset, so the ratios compare like work. A sample of destination tags is checked
/// digest by digest against the source after each engine run.
/// </summary>
public static class ScaleRun
{
    private const string Project = "scale";
    private const int Sample = 100;

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Scale: {settings.ScaleRepositories} repositories x {settings.ScaleTags} tags; skopeo on the first {settings.ScaleSkopeoRepositories} repositories (load {BenchmarkRun.LoadAverage()})");
        await using var source = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        await source.StopAsync();
        var clock = Stopwatch.StartNew();
        var corpus = ScaleCorpus.Write(Path.Combine(source.Directory, "storage"), Project, settings.ScaleRepositories, settings.ScaleTags);
        await source.RestartAsync(cancellationToken);
        Console.WriteLine($"  corpus: {corpus.TagCount:N0} tags written into the source's storage in {clock.Elapsed.TotalSeconds:0.0} s");

        using var factory = new RegistryClientFactory(settings.ClientOptions());
        var planner = new ReplicationPlanner(factory, settings.EngineOptions());
        var runner = new ReplicationRunner(factory, settings.EngineOptions());

        // The dry run: the plan of a first run (every tag new).
        await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        var scope = EngineCopy.Scope(source.Url, destination.Url, Project);
        clock.Restart();
        var dry = await planner.PlanAsync(scope, cancellationToken);
        var dryRun = clock.Elapsed;
        Console.WriteLine($"  dry run                {dryRun.TotalSeconds,7:0.0} s  ({dry})");

        var (cold, warm) = await ColdAndWarmAsync(planner, runner, scope, corpus.TagCount, cancellationToken);
        await VerifySampleAsync(destination, corpus, corpus.Digests.Keys, cancellationToken);
        Console.WriteLine($"  engine cold            {cold.TotalSeconds,7:0.0} s  ({corpus.TagCount:N0} tags copied; sample of {Sample} digests verified)");
        Console.WriteLine($"  engine warm            {warm.TotalSeconds,7:0.0} s  (0 copied)");

        // Like work for the ratios: the engine and skopeo on the same subset, each into a fresh registry.
        var subset = corpus.Repositories.Take(settings.ScaleSkopeoRepositories).ToList();
        var subsetTags = corpus.Digests.Keys.Where(k => subset.Contains(k[..k.LastIndexOf(':')])).ToList();
        await using var engineSubsetDestination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        var subsetScope = scope with
        {
            Destination = new RegistryEndpoint { BaseUrl = new Uri(engineSubsetDestination.Url) },
            Filter = new Engine.Filters.ImageFilter { ExplicitRepositories = [.. subset.Select(r => r[(Project.Length + 1)..])] },
        };
        var (subsetCold, subsetWarm) = await ColdAndWarmAsync(planner, runner, subsetScope, subsetTags.Count, cancellationToken);
        await VerifySampleAsync(engineSubsetDestination, corpus, subsetTags, cancellationToken);

        double? coldRatio = null, warmRatio = null;
        if (settings.Skopeo)
        {
            await using var skopeoDestination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
            var work = Directory.CreateTempSubdirectory("replication-scale-skopeo-");
            try
            {
                var skopeo = new SkopeoSync(work.FullName, new Uri(source.Url).Authority, subset);
                var skopeoCold = await skopeo.RunAsync(new Uri(skopeoDestination.Url).Authority, Project, cancellationToken);
                var skopeoWarm = await skopeo.RunAsync(new Uri(skopeoDestination.Url).Authority, Project, cancellationToken);
                await VerifySampleAsync(skopeoDestination, corpus, subsetTags, cancellationToken);
                coldRatio = subsetCold / skopeoCold;
                warmRatio = subsetWarm / skopeoWarm;
                Console.WriteLine($"  subset of {subsetTags.Count:N0} tags: engine cold {subsetCold.TotalSeconds:0.0} s, skopeo sync cold {skopeoCold.TotalSeconds:0.0} s; " +
                    $"engine warm {subsetWarm.TotalSeconds:0.0} s, skopeo sync warm {skopeoWarm.TotalSeconds:0.0} s");
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"scale: tags {corpus.TagCount}; dry run {dryRun.TotalSeconds:0.0} s; cold {cold.TotalSeconds:0.0} s ({Ratio(coldRatio)} × skopeo); " +
            $"warm {warm.TotalSeconds:0.0} s ({Ratio(warmRatio)} × skopeo); app peak MiB n/a; history API n/a");
        return 0;
    }

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Plan + run into an empty destination, then plan + run again with the record the cold run made.</summary>
    private static async Task<(TimeSpan Cold, TimeSpan Warm)> ColdAndWarmAsync(
        ReplicationPlanner planner, ReplicationRunner runner, ReplicationScope scope, int tags, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var coldResult = await runner.RunAsync(scope, (await planner.PlanAsync(scope, cancellationToken)).ToTasks(), null, cancellationToken);
        var cold = clock.Elapsed;
        if (coldResult.Outcome != RunOutcome.Succeeded || coldResult.Count(TaskOutcome.Copied) != tags)
        {
            throw new BenchmarkFailedException($"the cold run ended {coldResult.Outcome} with {coldResult.Count(TaskOutcome.Copied)} of {tags} tags copied");
        }

        var warmScope = scope with { Replicated = [.. coldResult.Tasks.SelectMany(t => t.Replicated)] };
        clock.Restart();
        var warmPlan = await planner.PlanAsync(warmScope, cancellationToken);
        var warmResult = await runner.RunAsync(warmScope, warmPlan.ToTasks(), null, cancellationToken);
        var warm = clock.Elapsed;
        if (warmPlan.Copy.Count != 0 || warmResult.Outcome != RunOutcome.Succeeded)
        {
            throw new BenchmarkFailedException($"the warm run planned {warmPlan.Copy.Count} copies and ended {warmResult.Outcome}");
        }

        return (cold, warm);
    }

    private static async Task VerifySampleAsync(RegistryProcess destination, ScaleCorpus corpus, IEnumerable<string> references, CancellationToken cancellationToken)
    {
        using var client = new OciTestClient(destination);
        foreach (var reference in references.OrderBy(_ => Random.Shared.Next()).Take(Sample))
        {
            var split = reference.LastIndexOf(':');
            var digest = await client.GetManifestDigestAsync(reference[..split], reference[(split + 1)..], cancellationToken);
            if (digest != corpus.Digests[reference])
            {
                throw new BenchmarkFailedException($"{reference} at the destination has digest {digest ?? "(none)"}, the source {corpus.Digests[reference]}");
            }
        }
    }
}
