using System.Globalization;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Reporting;

/// <summary>CPU seconds one scenario cost: this process (the copier, unless a child tool copies) and the registry processes.</summary>
/// <param name="Client">User + system time of this process and of the children it waited for (skopeo) meanwhile.</param>
/// <param name="Registries">User + system time of the source and destination <c>docker-registry</c> processes.</param>
public readonly record struct CpuCost(double Client, double Registries)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"CPU s: copier {Client:0.0}, registries {Registries:0.0}");
}

/// <summary>
/// Reads CPU time from /proc: the machine is shared, so wall time moves with the load of others while CPU seconds show
/// what a scenario itself cost. A registry process is found by the path of its <c>config.yml</c> in its command line.
/// </summary>
public sealed class CpuMeter
{
    private const double ClockTicksPerSecond = 100; // USER_HZ, 100 on Linux (getconf CLK_TCK)

    private readonly int[] _registryPids;
    private readonly double _selfStart;
    private readonly double _registriesStart;

    private CpuMeter(int[] registryPids)
    {
        _registryPids = registryPids;
        _selfStart = Self();
        _registriesStart = _registryPids.Sum(ProcessSeconds);
    }

    /// <summary>Starts measuring this process and the given registries.</summary>
    public static CpuMeter Start(params RegistryProcess[] registries) =>
        new(registries.Select(r => FindRegistryPid(r.ConfigPath)).OfType<int>().ToArray());

    /// <summary>What was spent since <see cref="Start"/>.</summary>
    public CpuCost Stop() => new(Self() - _selfStart, _registryPids.Sum(ProcessSeconds) - _registriesStart);

    /// <summary>utime + stime + cutime + cstime of this process: a child tool counts once it has exited.</summary>
    private static double Self() => Ticks("/proc/self/stat", 4) / ClockTicksPerSecond;

    private static int? FindRegistryPid(string configPath)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Length > 2 && arguments[0].EndsWith("docker-registry", StringComparison.Ordinal) && arguments.Contains(configPath))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return null;
    }

    /// <summary>utime + stime of a process, 0 once it is gone.</summary>
    private static double ProcessSeconds(int pid)
    {
        try
        {
            return Ticks($"/proc/{pid}/stat", 2) / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The sum of <paramref name="count"/> fields from field 14 (utime) on: stime, then cutime and cstime.</summary>
    private static long Ticks(string statPath, int count)
    {
        var stat = File.ReadAllText(statPath);

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one (field 3 on).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return Enumerable.Range(11, count).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
    }
}
