using System.Diagnostics;
using System.Globalization;
using Replication.Benchmarks.Corpus;
using Replication.Benchmarks.Reporting;
using Replication.Benchmarks.Scenarios;
using Replication.Engine.Copying;
using Replication.Testing.Registries;

namespace Replication.Benchmarks;

/// <summary>
/// One benchmark run: a source registry with the corpus, then per round a fresh destination for each cold scenario
/// (engine, skopeo, raw) and the warm runs into the engine's and skopeo's destinations again, then the peak working set
/// of a 1 GiB layer; every copy verified against the source; a table and the closing line.
/// </summary>
public sealed class BenchmarkRun(BenchmarkSettings settings)
{
    private const double MiB = 1024 * 1024;

    private readonly Dictionary<string, List<double>> _seconds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _notes = new(StringComparer.Ordinal);
    private readonly List<PeakMeasurement> _peaks = [];

    private const string EngineCold = "engine cold copy";
    private const string SkopeoCold = "skopeo sync cold copy";
    private const string RawCold = "raw limit";
    private const string EngineWarm = "engine warm run";
    private const string SkopeoWarm = "skopeo sync warm run";

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("Replication benchmark");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, load {LoadAverage()}, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"  corpus:  {settings.Repositories} repositories x {settings.Tags} tags; layers: base {Mib(settings.BaseLayerBytes)} MiB (shared), " +
            $"{Mib(settings.RepositoryLayerBytes)} MiB per repository, {settings.TagLayers} x {Mib(settings.TagLayerBytes)} MiB per tag" +
            (settings.Peak ? $"; large layer {Mib(settings.LargeLayerBytes)} MiB" : ""));
        Console.WriteLine($"  engine:  {settings.DescribeLimits()}");
        Console.WriteLine($"  rounds:  {settings.Rounds}; raw limit with {settings.RawParallel} streams");

        string? skopeoVersion = null;
        if (settings.Skopeo)
        {
            skopeoVersion = await SkopeoSync.VersionAsync(cancellationToken)
                ?? throw new BenchmarkFailedException("skopeo is not installed; install it (apt-get install skopeo) or pass --no-skopeo.");
            Console.WriteLine($"  peer:    {skopeoVersion}");
        }

        var work = Directory.CreateTempSubdirectory("replication-bench-");
        try
        {
            await using var source = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"Pushing the corpus into {source.Url} ...");
            var clock = Stopwatch.StartNew();
            var corpus = await BenchmarkCorpus.PushAsync(source, settings, cancellationToken);
            Console.WriteLine($"  {corpus.Images.Count} images in {corpus.Repositories.Count} repositories, {corpus.Blobs.Count} distinct blobs, " +
                $"{Mib(corpus.UniqueBytes)} MiB unique, pushed in {clock.Elapsed.TotalSeconds:0.0} s");

            if (settings.Nodes)
            {
                Console.WriteLine();
                Console.WriteLine($"Several nodes (load {LoadAverage()})");
                await SeveralNodes.RunAsync(settings, source, corpus, cancellationToken);
                return 0;
            }

            if (settings.Bandwidth)
            {
                Console.WriteLine();
                Console.WriteLine($"Bandwidth limit (load {LoadAverage()})");
                return await BandwidthLimit.RunAsync(settings, source, corpus, cancellationToken) ? 0 : 1;
            }

            if (settings.CountsOnly)
            {
                Console.WriteLine();
                Console.WriteLine($"Request counts (load {LoadAverage()})");
                await RequestCounts.RunAsync(settings, source, corpus, work.FullName, settings.Skopeo, cancellationToken);
                return 0;
            }

            await WarmUpAsync(source, corpus, cancellationToken);
            var skopeo = settings.Skopeo ? new SkopeoSync(work.FullName, source.Authority, corpus.Repositories) : null;
            for (var round = 1; round <= settings.Rounds; round++)
            {
                Console.WriteLine();
                Console.WriteLine($"Round {round} of {settings.Rounds} (load {LoadAverage()})");
                await RunRoundAsync(round, source, corpus, skopeo, cancellationToken);
            }

            if (settings.Peak)
            {
                await MeasurePeaksAsync(source, corpus, cancellationToken);
            }

            if (settings.CountRequests)
            {
                Console.WriteLine();
                Console.WriteLine($"Request counts (load {LoadAverage()})");
                await RequestCounts.RunAsync(settings, source, corpus, work.FullName, settings.Skopeo, cancellationToken);
            }

            Report(corpus, skopeoVersion);
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The product runs in a long-lived process whose code the runtime has long compiled and tiered up by the time a rule
    /// runs; a fresh process spends seconds of CPU in the JIT during its first copies. So the engine copies the corpus once
    /// (cold, then warm) into a scratch registry before anything is timed; the times of that first run are printed.
    /// </summary>
    private async Task WarmUpAsync(RegistryProcess source, BenchmarkCorpus corpus, CancellationToken cancellationToken)
    {
        await using var scratch = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        Console.WriteLine($"  engine warm-up (JIT) into {scratch.Url} (load {LoadAverage()}) ...");
        var meter = CpuMeter.Start(source, scratch);
        var cold = await EngineCopy.RunAsync(settings, source.Url, scratch.Url, BenchmarkCorpus.Project, [], cancellationToken);
        var coldCpu = meter.Stop();
        var warm = await EngineCopy.RunAsync(settings, source.Url, scratch.Url, BenchmarkCorpus.Project, [], cancellationToken);
        await DestinationCheck.VerifyTagsAsync(scratch.Url, corpus.Images, "engine warm-up", cancellationToken);
        Console.WriteLine($"    first cold copy in this process {cold.Elapsed.TotalSeconds:0.00} s ({coldCpu}), first warm run {warm.Elapsed.TotalSeconds:0.00} s (not counted)");

        // Let the runtime's background compilation catch up, as it would between two runs of a rule.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    }

    private async Task RunRoundAsync(int round, RegistryProcess source, BenchmarkCorpus corpus, SkopeoSync? skopeo, CancellationToken cancellationToken)
    {
        await using var engineDestination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        RegistryProcess? skopeoDestination = null;
        try
        {
            // The main settings and every variant copy cold, each into a fresh registry; the order turns with the
            // round so that none of them always runs first (or last) while the load of the machine drifts.
            var engines = new List<(string Scenario, BenchmarkSettings Settings)> { (EngineCold, settings) };
            engines.AddRange(settings.Variants.Select(v => ($"{EngineCold} [{v.Name}]", v.Settings)));
            var first = (round - 1) % engines.Count;
            foreach (var (scenario, engineSettings) in engines.Skip(first).Concat(engines.Take(first)))
            {
                var isMain = ReferenceEquals(engineSettings, settings);
                await using var variantDestination = isMain ? null : await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
                var destination = variantDestination ?? engineDestination;
                var coldMeter = Step(scenario, source, destination);
                var cold = await EngineCopy.RunAsync(engineSettings, source.Url, destination.Url, BenchmarkCorpus.Project, [], cancellationToken);
                Record(scenario, cold.Elapsed, coldMeter.Stop(), $"{cold.Result.Count(TaskOutcome.Copied)} tags copied, plan+size {cold.Planning.TotalSeconds:0.00} s; {cold.Blobs}");
                if (cold.Result.Count(TaskOutcome.Copied) != corpus.Images.Count)
                {
                    throw new BenchmarkFailedException($"{scenario} copied {cold.Result.Count(TaskOutcome.Copied)} tags, expected {corpus.Images.Count}: {cold.Result}");
                }

                await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, scenario, cancellationToken);
            }

            CpuMeter meter;
            if (skopeo is not null)
            {
                skopeoDestination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
                meter = Step(SkopeoCold, source, skopeoDestination);
                Record(SkopeoCold, await skopeo.RunAsync(skopeoDestination.Authority, BenchmarkCorpus.Project, cancellationToken), meter.Stop(), "one image at a time");
                await DestinationCheck.VerifyTagsAsync(skopeoDestination.Url, corpus.Images, SkopeoCold, cancellationToken);
            }

            if (settings.Raw)
            {
                await using var rawDestination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
                meter = Step(RawCold, source, rawDestination);
                var elapsed = await RawTransfer.RunAsync(source.Url, rawDestination.Url, corpus.Blobs, settings.RawParallel, cancellationToken);
                Record(RawCold, elapsed, meter.Stop(), $"{corpus.Blobs.Count} blobs GET->PUT, {settings.RawParallel} streams");
                await DestinationCheck.VerifyBlobsAsync(rawDestination.Url, corpus.Blobs, RawCold, cancellationToken);
            }

            meter = Step(EngineWarm, source, engineDestination);
            var warm = await EngineCopy.RunAsync(settings, source.Url, engineDestination.Url, BenchmarkCorpus.Project, [], cancellationToken);
            Record(EngineWarm, warm.Elapsed, meter.Stop(), $"{corpus.Images.Count} tags compared, {warm.Result.Tasks.Count} tasks");
            if (warm.Result.Count(TaskOutcome.Copied) != 0 || warm.Blobs.Copied != 0)
            {
                throw new BenchmarkFailedException($"The warm run copied something although nothing changed: {warm.Result}; {warm.Blobs}");
            }

            await DestinationCheck.VerifyTagsAsync(engineDestination.Url, corpus.Images, EngineWarm, cancellationToken);

            if (skopeo is not null && skopeoDestination is not null)
            {
                meter = Step(SkopeoWarm, source, skopeoDestination);
                Record(SkopeoWarm, await skopeo.RunAsync(skopeoDestination.Authority, BenchmarkCorpus.Project, cancellationToken), meter.Stop(), "one image at a time");
                await DestinationCheck.VerifyTagsAsync(skopeoDestination.Url, corpus.Images, SkopeoWarm, cancellationToken);
            }
        }
        finally
        {
            if (skopeoDestination is not null)
            {
                await skopeoDestination.DisposeAsync();
            }
        }
    }

    private async Task MeasurePeaksAsync(RegistryProcess source, BenchmarkCorpus corpus, CancellationToken cancellationToken)
    {
        var collectors = settings.PeakGc switch
        {
            PeakGc.Workstation => new[] { false },
            PeakGc.Server => [true],
            _ => [false, true],
        };
        foreach (var serverGc in collectors)
        {
            await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"Peak working set: engine copies the {Mib(settings.LargeLayerBytes)} MiB layer into {destination.Url} " +
                $"({(serverGc ? "server" : "workstation")} GC, load {LoadAverage()}) ...");
            var peak = await PeakMemoryProbe.MeasureAsync(settings, source.Url, destination.Url, serverGc, cancellationToken);
            Console.WriteLine($"    {peak.Seconds:0.00} s; baseline {Mib(peak.BaselineBytes)} MiB; VmHWM {Mib(peak.HighWaterMarkBytes)} MiB " +
                $"(reset {(peak.HighWaterMarkReset ? "ok" : "FAILED, polled value used")}); polled VmRSS peak {Mib(peak.PolledPeakBytes)} MiB; " +
                $"increase {Mib(peak.IncreaseBytes)} MiB; {Mib(peak.AllocatedBytes)} MiB allocated");
            await DestinationCheck.VerifyTagsAsync(destination.Url, [corpus.Large!], "large layer", cancellationToken);
            _peaks.Add(peak);
        }
    }

    private void Report(BenchmarkCorpus corpus, string? skopeoVersion)
    {
        double? Median(string scenario) =>
            _seconds.TryGetValue(scenario, out var list) && list.Count > 0
                ? (list.Order().ElementAt((list.Count - 1) / 2) + list.Order().ElementAt(list.Count / 2)) / 2
                : null;

        var engineCold = Median(EngineCold)!.Value;
        var engineWarm = Median(EngineWarm)!.Value;
        var skopeoCold = Median(SkopeoCold);
        var skopeoWarm = Median(SkopeoWarm);
        var raw = Median(RawCold);

        var rows = new List<ResultRow>
        {
            new(EngineCold, engineCold, corpus.UniqueBytes, skopeoCold is { } sc ? engineCold / sc : null,
                "vs skopeo cold; " + (raw is { } re ? $"vs raw {(engineCold / re).ToString("0.00", CultureInfo.InvariantCulture)}; " : "") + _notes[EngineCold]),
        };
        foreach (var (name, _) in settings.Variants)
        {
            var scenario = $"{EngineCold} [{name}]";
            var seconds = Median(scenario)!.Value;
            var vsRaw = raw is { } rv ? $"vs raw {(seconds / rv).ToString("0.00", CultureInfo.InvariantCulture)}; " : "";
            rows.Add(new(scenario, seconds, corpus.UniqueBytes, skopeoCold is { } svc ? seconds / svc : null, $"vs skopeo cold; {vsRaw}" + _notes[scenario]));
        }

        if (skopeoCold is { } skc)
        {
            rows.Add(new(SkopeoCold, skc, corpus.UniqueBytes, 1, $"{skopeoVersion}, {_notes[SkopeoCold]}"));
        }

        if (raw is { } r)
        {
            rows.Add(new(RawCold, r, corpus.UniqueBytes, skopeoCold is { } s ? r / s : null, "vs skopeo cold; " + _notes[RawCold]));
        }

        rows.Add(new(EngineWarm, engineWarm, null, skopeoWarm is { } sw ? engineWarm / sw : null, "vs skopeo warm; " + _notes[EngineWarm]));
        if (skopeoWarm is { } skw)
        {
            rows.Add(new(SkopeoWarm, skw, null, 1, _notes[SkopeoWarm]));
        }

        foreach (var peak in _peaks)
        {
            rows.Add(new(
                $"engine {Mib(settings.LargeLayerBytes)} MiB layer ({peak.Gc} GC)",
                peak.Seconds,
                peak.LayerBytes,
                null,
                $"peak working set +{Mib(peak.IncreaseBytes)} MiB over a {Mib(peak.BaselineBytes)} MiB baseline"));
        }

        Console.WriteLine();
        if (settings.Rounds > 1)
        {
            Console.WriteLine("Seconds per round (the table shows medians):");
            foreach (var (scenario, list) in _seconds)
            {
                Console.WriteLine($"  {scenario,-40} {string.Join("  ", list.Select(ResultTable.F))}");
            }

            Console.WriteLine();
        }

        Console.WriteLine($"Corpus: {corpus.Images.Count} tags, {corpus.Blobs.Count} distinct blobs, {Mib(corpus.UniqueBytes)} MiB unique. Engine limits: {settings.DescribeLimits()}.");
        Console.Write(ResultTable.Render(rows));
        Console.WriteLine($"Load at the end: {LoadAverage()}");

        var coldRatio = skopeoCold is { } c ? engineCold / c : (double?)null;
        var warmRatio = skopeoWarm is { } w ? engineWarm / w : (double?)null;
        var rawRatio = raw is { } rr ? engineCold / rr : (double?)null;
        var peakMib = _peaks.Count > 0 ? (long?)Math.Ceiling(_peaks.Max(p => p.IncreaseBytes) / MiB) : null;

        Console.WriteLine();
        Target("cold copy <= 0.5 x skopeo sync cold", coldRatio, 0.5);
        Target("warm run <= 0.5 x skopeo sync warm", warmRatio, 0.5);
        Target("cold copy <= 1.5 x raw limit", rawRatio, 1.5);
        Target($"peak working set increase <= 64 MiB", peakMib, 64);

        var layer = settings.LargeLayerBytes == 1024L * 1024 * 1024 ? "1 GiB" : $"{Mib(settings.LargeLayerBytes)} MiB";
        Console.WriteLine(
            $"cold ratio vs skopeo: {Ratio(coldRatio)}; warm ratio vs skopeo: {Ratio(warmRatio)}; cold vs raw limit: {Ratio(rawRatio)}; " +
            $"peak MiB ({layer} layer): {(peakMib is { } p ? p.ToString(CultureInfo.InvariantCulture) : "n/a")}");
    }

    private static void Target(string what, double? value, double limit) =>
        Console.WriteLine(value is { } v
            ? $"target {what}: {(v <= limit ? "met" : "MISSED")} ({v.ToString("0.00", CultureInfo.InvariantCulture)})"
            : $"target {what}: not measured");

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private void Record(string scenario, TimeSpan elapsed, CpuCost cpu, string note)
    {
        (_seconds.TryGetValue(scenario, out var list) ? list : _seconds[scenario] = []).Add(elapsed.TotalSeconds);
        _notes[scenario] = $"{note}; {cpu}";
        Console.WriteLine($"    {elapsed.TotalSeconds:0.00} s; {note}; {cpu}");
    }

    private static CpuMeter Step(string scenario, RegistryProcess source, RegistryProcess destination)
    {
        Console.WriteLine($"  {scenario} into {destination.Url} (load {LoadAverage()}) ...");
        return CpuMeter.Start(source, destination);
    }

    private static string Mib(double bytes) => (bytes / MiB).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The 1, 5 and 15 minute load averages, as <c>uptime</c> shows them.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
