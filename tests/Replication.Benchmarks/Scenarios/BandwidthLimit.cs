using System.Diagnostics;
using Replication.Benchmarks.Corpus;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Registry;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// A rule with a bandwidth limit copies the corpus into a fresh registry: the achieved rate of its blob streams (bytes
/// streamed from the first to the last byte of the copy phase) against the limit, which they all share.
/// </summary>
public static class BandwidthLimit
{
    /// <summary>How far off the limit still counts as holding it.</summary>
    public const double Tolerance = 0.10;

    public static async Task<bool> RunAsync(BenchmarkSettings settings, RegistryProcess source, BenchmarkCorpus corpus, CancellationToken cancellationToken)
    {
        var limitKiBps = (int)Math.Round(settings.BandwidthMiBps * 1024);
        await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        using var factory = new RegistryClientFactory(settings.ClientOptions());
        var runner = new ReplicationRunner(factory, settings.EngineOptions());
        var tally = new BlobTally();
        var scope = EngineCopy.Scope(source.Url, destination.Url, BenchmarkCorpus.Project) with { BandwidthLimitKiBps = limitKiBps };

        var started = Stopwatch.GetTimestamp();
        var result = await runner.ReplicateAsync(scope, tally, cancellationToken);
        var finished = Stopwatch.GetTimestamp();
        if (result.Outcome != RunOutcome.Succeeded)
        {
            throw new BenchmarkFailedException($"The limited run ended {result.Outcome}: {result}");
        }

        await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, "bandwidth-limited copy", cancellationToken);
        var copying = Stopwatch.GetElapsedTime(tally.RunStartedTimestamp == 0 ? started : tally.RunStartedTimestamp, finished);
        var achieved = tally.CopiedBytes / (1024.0 * 1024) / copying.TotalSeconds;
        var deviation = achieved / settings.BandwidthMiBps - 1;
        var holds = Math.Abs(deviation) <= Tolerance;
        Console.WriteLine($"  limit {settings.BandwidthMiBps:0.##} MiB/s, {settings.EngineOptions().MaxParallelBlobs} parallel blob streams: " +
            $"{tally.CopiedBytes / (1024.0 * 1024):0.0} MiB streamed in {copying.TotalSeconds:0.00} s (whole run {Stopwatch.GetElapsedTime(started, finished).TotalSeconds:0.00} s)");
        Console.WriteLine($"bandwidth: achieved {achieved:0.00} MiB/s for a limit of {settings.BandwidthMiBps:0.##} MiB/s ({deviation:+0.0%;-0.0%}): " +
            (holds ? $"within ±{Tolerance:0%}" : $"OUTSIDE ±{Tolerance:0%}"));
        return holds;
    }
}
