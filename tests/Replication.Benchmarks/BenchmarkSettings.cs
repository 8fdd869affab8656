using System.Globalization;
using Replication.Engine;
using Replication.Registry;

namespace Replication.Benchmarks;

/// <summary>Which garbage collector the process measured for the peak working set runs with.</summary>
public enum PeakGc
{
    /// <summary>Workstation GC, a console program's default.</summary>
    Workstation,

    /// <summary>Server GC, the default of the ASP.NET Core app that hosts the engine in the product.</summary>
    Server,

    /// <summary>Both, one after the other; the closing line reports the larger increase.</summary>
    Both,
}

/// <summary>Command-line flags: the corpus, the engine's limits under test, and which scenarios run.</summary>
public sealed class BenchmarkSettings
{
    private const long MiB = 1024 * 1024;

    public const string Usage = """
        Replication benchmark: the engine against skopeo sync and the raw transfer limit, on local docker-registry processes.

        dotnet run -c Release --project tests/Replication.Benchmarks [-- options]

        Corpus (default: 20 repositories x 5 tags; 32 MiB base layer shared by all, 8 MiB per repository,
        two 1 MiB layers per tag: ~392 MiB unique; a 1 GiB layer for the peak working set):
          --quick                  a small corpus (4 x 3, 8 / 2 / 2 x 0.25 MiB, 128 MiB large layer), one round: well under a minute
          --repos N  --tags N  --base-mib X  --repo-mib X  --tag-mib X  --tag-layers N  --large-mib X

        Engine and registry client limits (unset = the product's defaults):
          --parallel-artifacts N   ReplicationOptions.MaxParallelArtifacts
          --parallel-blobs N       ReplicationOptions.MaxParallelBlobs
          --parallel-checks N      ReplicationOptions.MaxParallelChecks
          --parallel-listings N    ReplicationOptions.MaxParallelListings
          --per-host N             RegistryClientOptions.MaxConcurrentRequestsPerHost
          --chunk-mib N            RegistryClientOptions.ChunkSizeBytes
          --monolithic-mib N       RegistryClientOptions.MonolithicUploadLimitBytes

        Scenarios:
          --rounds N               repeat the cold and warm scenarios N times (fresh destinations), report medians
                                   (default 3; 1 with --quick)
          --raw-parallel N         concurrent GET->PUT streams of the raw limit (default 8)
          --peak-gc G              workstation | server | both (default both): GC of the peak-memory process
          --variant K=V[,K=V]      also time an engine cold copy with these limits in every round, side by side
                                   (repeatable; keys: artifacts, blobs, checks, listings, per-host, chunk-mib, monolithic-mib)
          --no-skopeo  --no-raw  --no-peak
          --count-requests         also count the requests of an engine cold copy, its warm run and a skopeo cold copy,
                                   by kind, through recording proxies (untimed, after the rounds)
          --counts-only            only that: no warm-up, no timed rounds, no peak working set
          --nodes                  only this: replicate the corpus through the app, split over --node-rules rules (default 4)
                                   started together, by one node on SQLite, one node on PostgreSQL and two worker nodes on
                                   one PostgreSQL (--node-workers N per node, default 2); the cross-node progress delay
          --bandwidth [MiB/s]      only this: copy the corpus with a rule bandwidth limit (default 10 MiB/s) and print the
                                   achieved rate of the blob streams; exit code 1 when it is off by more than 10 %
          --history [N]            only this: the app (built with -c Release) on SQLite seeded with N executions (default
                                   100000), N x 10 task rows, one execution of 20,000 tasks and N audit entries; times the
                                   dashboard, executions, tasks and audit APIs and pages, quiet and while retention prunes
          --history-tasks N        task rows per seeded execution (default 10)
          --scale [REPOS]          only this: REPOS (default 200) x --scale-tags small images written into the source's
                                   storage; dry run, engine cold and warm, skopeo sync cold and warm on a subset
          --scale-tags N           tags per repository (default 10)
          --scale-skopeo-repos N   repositories of the like-work subset for the skopeo ratios (default 20)
          --scale-no-app           skip the cold and warm runs through the app's job path (needs the app built -c Release)
          --scale-app-only         only the app's dry, cold and warm runs, with the peak memory of each (for memory work)
        """;

    public bool Quick { get; private set; }

    public int Repositories { get; private set; } = 20;

    public int Tags { get; private set; } = 5;

    public long BaseLayerBytes { get; private set; } = 32 * MiB;

    public long RepositoryLayerBytes { get; private set; } = 8 * MiB;

    public long TagLayerBytes { get; private set; } = 1 * MiB;

    public int TagLayers { get; private set; } = 2;

    public long LargeLayerBytes { get; private set; } = 1024 * MiB;

    public int? ParallelArtifacts { get; private set; }

    public int? ParallelBlobs { get; private set; }

    public int? ParallelChecks { get; private set; }

    public int? ParallelListings { get; private set; }

    public int? PerHost { get; private set; }

    public long? ChunkBytes { get; private set; }

    public long? MonolithicBytes { get; private set; }

    public int Rounds { get; private set; } = 3;

    public int RawParallel { get; private set; } = 8;

    public PeakGc PeakGc { get; private set; } = PeakGc.Both;

    public bool Skopeo { get; private set; } = true;

    public bool Raw { get; private set; } = true;

    public bool Peak { get; private set; } = true;

    /// <summary>Count the requests of each copier by kind, through recording proxies.</summary>
    public bool CountRequests { get; private set; }

    /// <summary>Only count requests: no timed scenarios.</summary>
    public bool CountsOnly { get; private set; }

    /// <summary>Run only the several-nodes scenario.</summary>
    public bool Nodes { get; private set; }

    /// <summary>How many rules the several-nodes scenario splits the corpus over.</summary>
    public int NodeRules { get; private set; } = 4;

    /// <summary>
    /// Replication:Jobs:WorkerCount of each node in the several-nodes scenario: fewer than the rules, so one node queues
    /// some of them and a second node has work to take.
    /// </summary>
    public int NodeWorkers { get; private set; } = 2;

    /// <summary>Run only the bandwidth-limit scenario.</summary>
    public bool Bandwidth { get; private set; }

    /// <summary>The limit the bandwidth scenario sets on its rule.</summary>
    public double BandwidthMiBps { get; private set; } = 10;

    /// <summary>Run only the history-at-scale scenario (the app over a seeded database).</summary>
    public bool History { get; private set; }

    /// <summary>Executions (and audit entries) the history scenario seeds.</summary>
    public int HistoryExecutions { get; private set; } = 100_000;

    /// <summary>Task rows per seeded execution.</summary>
    public int HistoryTasksPerExecution { get; private set; } = 10;

    /// <summary>Run only the scale scenario (many small images).</summary>
    public bool Scale { get; private set; }

    public int ScaleRepositories { get; private set; } = 200;

    public int ScaleTags { get; private set; } = 10;

    public int ScaleSkopeoRepositories { get; private set; } = 20;

    /// <summary>Also run the rule through the app (a real app process on SQLite).</summary>
    public bool ScaleApp { get; private set; } = true;

    /// <summary>Only the app's runs: no engine runs, no subset, no skopeo.</summary>
    public bool ScaleAppOnly { get; private set; }

    public bool Help { get; private set; }

    /// <summary>
    /// Other engine settings to time side by side with the main one, each a cold copy of its own per round (for example
    /// <c>artifacts=8,blobs=16</c>): on a shared machine only a comparison inside the same rounds is fair.
    /// </summary>
    public IReadOnlyList<(string Name, BenchmarkSettings Settings)> Variants { get; private set; } = [];

    /// <summary>Set in the child process that measures the peak working set: the source and destination registry URLs.</summary>
    public (string Source, string Destination)? PeakChild { get; private set; }

    /// <summary>Parses the flags; throws <see cref="ArgumentException"/> with a readable message on a bad one.</summary>
    public static BenchmarkSettings Parse(IReadOnlyList<string> args)
    {
        var s = ParseFlags(args);
        var variants = new List<(string, BenchmarkSettings)>();
        var plain = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--variant")
            {
                i++;
            }
            else
            {
                plain.Add(args[i]);
            }
        }

        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--variant")
            {
                // The variant's keys become flags after all the others, so they win over the main settings.
                variants.Add((args[i + 1], ParseFlags([.. plain, .. VariantFlags(args[i + 1])])));
            }
        }

        s.Variants = variants;
        return s;
    }

    private static IEnumerable<string> VariantFlags(string spec)
    {
        foreach (var pair in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            var flag = parts[0] switch
            {
                "artifacts" => "--parallel-artifacts",
                "blobs" => "--parallel-blobs",
                "checks" => "--parallel-checks",
                "listings" => "--parallel-listings",
                "per-host" => "--per-host",
                "chunk-mib" => "--chunk-mib",
                "monolithic-mib" => "--monolithic-mib",
                _ => throw new ArgumentException(
                    $"--variant '{spec}': unknown key '{parts[0]}' (artifacts, blobs, checks, listings, per-host, chunk-mib, monolithic-mib)."),
            };
            if (parts.Length != 2)
            {
                throw new ArgumentException($"--variant '{spec}': '{pair}' needs key=value.");
            }

            yield return flag;
            yield return parts[1];
        }
    }

    private static BenchmarkSettings ParseFlags(IReadOnlyList<string> args)
    {
        var s = new BenchmarkSettings();

        // --quick first, so explicit sizes given with it still win.
        if (args.Contains("--quick"))
        {
            s.Quick = true;
            s.Repositories = 4;
            s.Tags = 3;
            s.BaseLayerBytes = 8 * MiB;
            s.RepositoryLayerBytes = 2 * MiB;
            s.TagLayerBytes = MiB / 4;
            s.LargeLayerBytes = 128 * MiB;
            s.Rounds = 1;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            int Count(int min = 1) => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
                ? n
                : throw new ArgumentException($"{flag} needs a whole number of at least {min}.");
            long Bytes() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var mib) && mib > 0
                ? (long)(mib * MiB)
                : throw new ArgumentException($"{flag} needs a positive number of MiB.");

            switch (flag)
            {
                case "--quick":
                    break;
                case "--repos":
                    s.Repositories = Count();
                    break;
                case "--tags":
                    s.Tags = Count();
                    break;
                case "--base-mib":
                    s.BaseLayerBytes = Bytes();
                    break;
                case "--repo-mib":
                    s.RepositoryLayerBytes = Bytes();
                    break;
                case "--tag-mib":
                    s.TagLayerBytes = Bytes();
                    break;
                case "--tag-layers":
                    s.TagLayers = Count(0);
                    break;
                case "--large-mib":
                    s.LargeLayerBytes = Bytes();
                    break;
                case "--parallel-artifacts":
                    s.ParallelArtifacts = Count();
                    break;
                case "--parallel-blobs":
                    s.ParallelBlobs = Count();
                    break;
                case "--parallel-checks":
                    s.ParallelChecks = Count();
                    break;
                case "--parallel-listings":
                    s.ParallelListings = Count();
                    break;
                case "--per-host":
                    s.PerHost = Count();
                    break;
                case "--chunk-mib":
                    s.ChunkBytes = Bytes();
                    break;
                case "--monolithic-mib":
                    s.MonolithicBytes = (long)(double.Parse(Value(), CultureInfo.InvariantCulture) * MiB);
                    break;
                case "--rounds":
                    s.Rounds = Count();
                    break;
                case "--raw-parallel":
                    s.RawParallel = Count();
                    break;
                case "--peak-gc":
                    s.PeakGc = Enum.TryParse<PeakGc>(Value(), ignoreCase: true, out var gc)
                        ? gc
                        : throw new ArgumentException("--peak-gc is workstation, server or both.");
                    break;
                case "--no-skopeo":
                    s.Skopeo = false;
                    break;
                case "--no-raw":
                    s.Raw = false;
                    break;
                case "--no-peak":
                    s.Peak = false;
                    break;
                case "--count-requests":
                    s.CountRequests = true;
                    break;
                case "--counts-only":
                    s.CountRequests = true;
                    s.CountsOnly = true;
                    s.Peak = false;
                    break;
                case "--variant":
                    Value(); // read by Parse
                    break;
                case "--nodes":
                    s.Nodes = true;
                    s.Peak = false;
                    break;
                case "--node-rules":
                    s.NodeRules = Count();
                    break;
                case "--node-workers":
                    s.NodeWorkers = Count();
                    break;
                case "--bandwidth":
                    s.Bandwidth = true;
                    s.Peak = false;
                    if (i + 1 < args.Count && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var mibps))
                    {
                        s.BandwidthMiBps = mibps > 0 ? mibps : throw new ArgumentException("--bandwidth needs a positive number of MiB/s.");
                        i++;
                    }

                    break;
                case "--history":
                    s.History = true;
                    s.Peak = false;
                    if (i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var executions))
                    {
                        s.HistoryExecutions = executions >= 100 ? executions : throw new ArgumentException("--history needs at least 100 executions.");
                        i++;
                    }

                    break;
                case "--scale":
                    s.Scale = true;
                    s.Peak = false;
                    if (i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var repositories))
                    {
                        s.ScaleRepositories = repositories >= 1 ? repositories : throw new ArgumentException("--scale needs at least 1 repository.");
                        i++;
                    }

                    break;
                case "--scale-tags":
                    s.ScaleTags = Count();
                    break;
                case "--scale-no-app":
                    s.ScaleApp = false;
                    break;
                case "--scale-app-only":
                    s.ScaleAppOnly = true;
                    break;
                case "--scale-skopeo-repos":
                    s.ScaleSkopeoRepositories = Count();
                    break;
                case "--history-tasks":
                    s.HistoryTasksPerExecution = Count(0);
                    break;
                case "--peak-child":
                    s.PeakChild = (Value(), Value());
                    break;
                case "--help" or "-h":
                    s.Help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{flag}'.");
            }
        }

        // Fail here rather than halfway through a run.
        s.EngineOptions().EnsureValid();
        if (RegistryClientOptionsCheck(s.ClientOptions()) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        return s;
    }

    /// <summary>The engine's options: the product's defaults with the flags given applied.</summary>
    public ReplicationOptions EngineOptions()
    {
        var o = new ReplicationOptions();
        o.MaxParallelArtifacts = ParallelArtifacts ?? o.MaxParallelArtifacts;
        o.MaxParallelBlobs = ParallelBlobs ?? o.MaxParallelBlobs;
        o.MaxParallelChecks = ParallelChecks ?? o.MaxParallelChecks;
        o.MaxParallelListings = ParallelListings ?? o.MaxParallelListings;
        return o;
    }

    /// <summary>The registry client's options: the product's defaults with the flags given applied.</summary>
    public RegistryClientOptions ClientOptions()
    {
        var o = new RegistryClientOptions();
        o.MaxConcurrentRequestsPerHost = PerHost ?? o.MaxConcurrentRequestsPerHost;
        o.ChunkSizeBytes = ChunkBytes ?? o.ChunkSizeBytes;
        o.MonolithicUploadLimitBytes = MonolithicBytes ?? o.MonolithicUploadLimitBytes;
        return o;
    }

    /// <summary>The engine flags again, for the child process that measures the peak working set.</summary>
    public IEnumerable<string> EngineArguments()
    {
        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        var pairs = new (string Flag, string? Value)[]
        {
            ("--parallel-artifacts", ParallelArtifacts?.ToString(CultureInfo.InvariantCulture)),
            ("--parallel-blobs", ParallelBlobs?.ToString(CultureInfo.InvariantCulture)),
            ("--parallel-checks", ParallelChecks?.ToString(CultureInfo.InvariantCulture)),
            ("--parallel-listings", ParallelListings?.ToString(CultureInfo.InvariantCulture)),
            ("--per-host", PerHost?.ToString(CultureInfo.InvariantCulture)),
            ("--chunk-mib", ChunkBytes is { } c ? N((double)c / MiB) : null),
            ("--monolithic-mib", MonolithicBytes is { } m ? N((double)m / MiB) : null),
        };
        foreach (var (flag, value) in pairs)
        {
            if (value is not null)
            {
                yield return flag;
                yield return value;
            }
        }
    }

    /// <summary>The effective engine and client limits in one line, for the report.</summary>
    public string DescribeLimits()
    {
        var e = EngineOptions();
        var c = ClientOptions();
        return $"artifacts {e.MaxParallelArtifacts}, blobs {e.MaxParallelBlobs}, checks {e.MaxParallelChecks}, listings {e.MaxParallelListings}, " +
            $"per host {c.MaxConcurrentRequestsPerHost}, monolithic <= {Mib(c.MonolithicUploadLimitBytes)} MiB, chunk {Mib(c.ChunkSizeBytes)} MiB";
    }

    private static string Mib(long bytes) => ((double)bytes / MiB).ToString("0.##", CultureInfo.InvariantCulture);

    // The registry client keeps its validator internal; the same rules, checked before anything starts.
    private static string? RegistryClientOptionsCheck(RegistryClientOptions o) =>
        o.ChunkSizeBytes < MiB ? "--chunk-mib must be at least 1."
        : o.MonolithicUploadLimitBytes < 0 ? "--monolithic-mib cannot be negative."
        : null;
}
