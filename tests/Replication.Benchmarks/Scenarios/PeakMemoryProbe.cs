using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Replication.Benchmarks.Corpus;
using Replication.Registry;

namespace Replication.Benchmarks.Scenarios;

/// <summary>What the peak-memory process measured while the engine copied the large layer.</summary>
/// <param name="Gc"><c>workstation</c> or <c>server</c>.</param>
/// <param name="LayerBytes">Bytes the engine transferred (the layer and its config).</param>
/// <param name="Seconds">Duration of the copy.</param>
/// <param name="BaselineBytes">Resident set (VmRSS) after the warm-up copy and a full compacting GC, just before the copy.</param>
/// <param name="HighWaterMarkBytes">VmHWM after the copy.</param>
/// <param name="HighWaterMarkReset">Whether writing 5 to /proc/self/clear_refs reset VmHWM to the baseline.</param>
/// <param name="PolledPeakBytes">Largest VmRSS seen by polling every 20 ms during the copy.</param>
/// <param name="AllocatedBytes">Managed bytes allocated during the copy (GC churn, not residency).</param>
public sealed record PeakMeasurement(
    string Gc,
    long LayerBytes,
    double Seconds,
    long BaselineBytes,
    long HighWaterMarkBytes,
    bool HighWaterMarkReset,
    long PolledPeakBytes,
    long AllocatedBytes)
{
    /// <summary>Peak resident set over the baseline: VmHWM when it could be reset, else the polled peak.</summary>
    public long IncreaseBytes => Math.Max(HighWaterMarkReset ? HighWaterMarkBytes : 0, PolledPeakBytes) - BaselineBytes;
}

/// <summary>
/// The peak working set while the engine copies one large layer, measured in a child process of its own (this program
/// with <c>--peak-child</c>) so that no heap grown by the other scenarios hides the copy's own memory. The child copies a
/// small warm-up image first (JIT, connection pool, both upload paths), runs a full compacting GC, samples VmRSS from
/// /proc/self/status as the baseline, resets the kernel's high-water mark (VmHWM) by writing 5 to /proc/self/clear_refs,
/// copies the large image with the engine, and reads VmHWM; a 20 ms VmRSS poller runs alongside as a cross-check.
/// </summary>
public static class PeakMemoryProbe
{
    private const string ResultPrefix = "PEAK-RESULT ";
    private const long MiB = 1024 * 1024;

    /// <summary>Parent side: runs the child with the given GC and returns what it measured.</summary>
    public static async Task<PeakMeasurement> MeasureAsync(BenchmarkSettings settings, string sourceUrl, string destinationUrl, bool serverGc, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new BenchmarkFailedException("Cannot tell this program's path to start the peak-memory process.");
        var start = new ProcessStartInfo(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Started as `dotnet Replication.Benchmarks.dll`: the child needs the assembly too.
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in new[] { "--peak-child", sourceUrl, destinationUrl }.Concat(settings.EngineArguments()))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = serverGc ? "1" : "0";
        var (exitCode, output) = await ChildProcess.RunAsync(start, cancellationToken);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var result = lines.LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))?[ResultPrefix.Length..];
        if (exitCode != 0 || result is null)
        {
            var log = string.Join('\n', lines.Where(l => !l.StartsWith(ResultPrefix, StringComparison.Ordinal)));
            throw new BenchmarkFailedException($"The peak-memory process exited with code {exitCode}:\n{log}");
        }

        return JsonSerializer.Deserialize<PeakMeasurement>(result) ?? throw new BenchmarkFailedException("The peak-memory process printed no measurement.");
    }

    /// <summary>Child side: warm up, settle, measure one copy of project <see cref="BenchmarkCorpus.LargeProject"/>.</summary>
    public static async Task<int> RunChildAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var (source, destination) = settings.PeakChild!.Value;
        using var factory = new RegistryClientFactory(settings.ClientOptions());

        var warmup = await EngineCopy.RunAsync(factory, settings, source, destination, BenchmarkCorpus.WarmupProject, [], cancellationToken);
        if (warmup.Blobs.Copied == 0)
        {
            throw new BenchmarkFailedException("The warm-up copy transferred nothing; the destination was not empty.");
        }

        Settle();
        var baseline = ReadStatus("VmRSS");
        var reset = TryResetHighWaterMark();
        var hwmAfterReset = ReadStatus("VmHWM");

        // The kernel sets VmHWM to the current VmRSS on reset; anything else means the reset did not take.
        var hwmReset = reset && hwmAfterReset <= baseline + MiB;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        EngineRun run;
        long polled;
        using (var poller = new ResidentSetPoller(TimeSpan.FromMilliseconds(20)))
        {
            run = await EngineCopy.RunAsync(factory, settings, source, destination, BenchmarkCorpus.LargeProject, [], cancellationToken);
            polled = poller.Stop();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var hwm = ReadStatus("VmHWM");
        if (run.Blobs.Copied == 0)
        {
            throw new BenchmarkFailedException("The large layer was not transferred; the destination was not empty.");
        }

        var measurement = new PeakMeasurement(
            System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
            run.Blobs.CopiedBytes,
            run.Elapsed.TotalSeconds,
            baseline,
            hwm,
            hwmReset,
            Math.Max(polled, baseline),
            allocated);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(measurement));
        return 0;
    }

    /// <summary>A full blocking compacting collection, finalizers run, and once more: the heap as small as it gets without forcing decommit.</summary>
    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static bool TryResetHighWaterMark()
    {
        try
        {
            // Linux 4.0+: "5" resets the peak resident set size to the current one (proc(5), clear_refs).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A "Vm…: N kB" line of /proc/self/status, in bytes.</summary>
    internal static long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new BenchmarkFailedException($"/proc/self/status has no {field} line (not Linux?).");
    }

    /// <summary>Samples VmRSS on a thread of its own (the thread pool may be busy with the copy).</summary>
    private sealed class ResidentSetPoller : IDisposable
    {
        private readonly Thread _thread;
        private readonly TimeSpan _interval;
        private volatile bool _stop;
        private long _peak;

        public ResidentSetPoller(TimeSpan interval)
        {
            _interval = interval;
            _thread = new Thread(Poll) { IsBackground = true, Name = "VmRSS poller" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose()
        {
            if (!_stop)
            {
                Stop();
            }
        }

        private void Poll()
        {
            while (!_stop)
            {
                var rss = ReadStatus("VmRSS");
                if (rss > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, rss);
                }

                Thread.Sleep(_interval);
            }
        }
    }
}
