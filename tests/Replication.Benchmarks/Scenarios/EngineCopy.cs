using System.Diagnostics;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Registry;

namespace Replication.Benchmarks.Scenarios;

/// <summary>Counts what the engine did with each blob, from its own progress events.</summary>
public sealed class BlobTally : IProgress<ReplicationEvent>
{
    private int _copied;
    private int _mounted;
    private int _present;
    private long _copiedBytes;
    private long _runStarted;

    public int Copied => _copied;

    public int Mounted => _mounted;

    public int Present => _present;

    public long CopiedBytes => Interlocked.Read(ref _copiedBytes);

    /// <summary><see cref="Stopwatch"/> timestamp of <see cref="RunStarted"/>: planning and sizing are over, copying begins.</summary>
    public long RunStartedTimestamp => Interlocked.Read(ref _runStarted);

    public void Report(ReplicationEvent value)
    {
        if (value is RunStarted)
        {
            Interlocked.Exchange(ref _runStarted, Stopwatch.GetTimestamp());
        }

        if (value is not BlobFinished blob)
        {
            return;
        }

        switch (blob.Outcome)
        {
            case BlobOutcome.Copied:
                Interlocked.Increment(ref _copied);
                Interlocked.Add(ref _copiedBytes, blob.Size);
                break;
            case BlobOutcome.Mounted:
                Interlocked.Increment(ref _mounted);
                break;
            case BlobOutcome.Present:
                Interlocked.Increment(ref _present);
                break;
        }
    }

    public override string ToString() => $"blobs copied {Copied} ({CopiedBytes / (1024.0 * 1024):0.0} MiB), mounted {Mounted}, present {Present}";
}

/// <summary>What one engine run did and how long it took.</summary>
/// <param name="Elapsed">From the call to the result.</param>
/// <param name="Planning">From the call to <see cref="RunStarted"/> (planning, then reading the manifests to size the run).</param>
/// <param name="Result">The runner's result.</param>
/// <param name="Blobs">What happened to each blob.</param>
public sealed record EngineRun(TimeSpan Elapsed, TimeSpan Planning, ReplicationRunResult Result, BlobTally Blobs);

/// <summary>
/// The engine as the product runs a rule over a whole project: a fresh client factory, the planner (catalog, tags, a HEAD
/// per tag at both ends) and the runner with the given options, timed from the first listing to the last manifest.
/// </summary>
public static class EngineCopy
{
    public static ReplicationScope Scope(string sourceUrl, string destinationUrl, string project) => new()
    {
        Source = new RegistryEndpoint { BaseUrl = new Uri(sourceUrl) },
        SourceProject = project,
        Destination = new RegistryEndpoint { BaseUrl = new Uri(destinationUrl) },
    };

    /// <summary>
    /// A run with a client factory of its own (no connection kept from an earlier scenario); <paramref name="replicated"/>
    /// is the record of what an earlier run pushed, as the app keeps it (empty: none).
    /// </summary>
    public static async Task<EngineRun> RunAsync(
        BenchmarkSettings settings, string sourceUrl, string destinationUrl, string project, IReadOnlyCollection<ReplicatedArtifact> replicated, CancellationToken cancellationToken)
    {
        using var factory = new RegistryClientFactory(settings.ClientOptions());
        return await RunAsync(factory, settings, sourceUrl, destinationUrl, project, replicated, cancellationToken);
    }

    /// <summary>A run through <paramref name="factory"/>, as the app's singleton factory serves every run.</summary>
    public static async Task<EngineRun> RunAsync(
        RegistryClientFactory factory, BenchmarkSettings settings, string sourceUrl, string destinationUrl, string project, IReadOnlyCollection<ReplicatedArtifact> replicated, CancellationToken cancellationToken)
    {
        var runner = new ReplicationRunner(factory, settings.EngineOptions());
        var tally = new BlobTally();
        var started = Stopwatch.GetTimestamp();
        var result = await runner.ReplicateAsync(Scope(sourceUrl, destinationUrl, project) with { Replicated = replicated }, tally, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var planning = tally.RunStartedTimestamp == 0 ? elapsed : Stopwatch.GetElapsedTime(started, tally.RunStartedTimestamp);
        if (result.Outcome != RunOutcome.Succeeded)
        {
            var failures = string.Join("\n  ", result.Failures.Take(5).Select(f => $"{f.TaskId}: {f.Message}"));
            throw new BenchmarkFailedException($"The engine's run ended {result.Outcome}: {result}\n  {failures}");
        }

        return new EngineRun(elapsed, planning, result, tally);
    }
}
