using System.Diagnostics;
using System.Globalization;
using Replication.Benchmarks.Corpus;
using Replication.Testing.App;
using Replication.Testing.Databases;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// The corpus replicated through the running app, split over several rules started together: by one node on SQLite (the
/// embedded default), by one node on PostgreSQL, and by two worker nodes sharing one PostgreSQL, each into a fresh
/// destination and verified there. Then how late one node's progress reaches the other, as the receiving nodes measured
/// it (<c>replication_progress_relay_delay_seconds</c> on their <c>/metrics</c>).
/// </summary>
public static class SeveralNodes
{
    private const string DelaySeries = "replication_progress_relay_delay_seconds";

    public static async Task RunAsync(BenchmarkSettings settings, RegistryProcess source, BenchmarkCorpus corpus, CancellationToken cancellationToken)
    {
        await using var postgres = await PostgresServer.StartAsync();
        Console.WriteLine($"  PostgreSQL {postgres.BinDirectory} on port {postgres.Port}; {settings.NodeRules} rules over {corpus.Repositories.Count} repositories, " +
            $"{settings.NodeWorkers} workers per node");

        var sqlite = await ReplicateAsync("SQLite, one node", settings, source, corpus, [[]], cancellationToken);
        var database = await postgres.CreateDatabaseAsync("one");
        var one = await ReplicateAsync("PostgreSQL, one node", settings, source, corpus, [PostgreSql(database)], cancellationToken);
        database = await postgres.CreateDatabaseAsync("two");
        var two = await ReplicateAsync("PostgreSQL, two worker nodes", settings, source, corpus, [PostgreSql(database), PostgreSql(database)], cancellationToken);

        Console.WriteLine();
        Console.WriteLine($"  {"scenario",-32} {"seconds",8}  {"vs SQLite",9}  executions per node");
        foreach (var run in new[] { sqlite, one, two })
        {
            Console.WriteLine($"  {run.Name,-32} {run.Seconds,8:0.00}  {run.Seconds / sqlite.Seconds,9:0.00}  {run.PerNode}");
        }

        Console.WriteLine($"  cross-node progress delay: {two.Delay}");
        Console.WriteLine(
            $"nodes: tags {corpus.Images.Count}; SQLite one node {F(sqlite.Seconds)} s; PostgreSQL one node {F(one.Seconds)} s; " +
            $"two worker nodes {F(two.Seconds)} s ({F(two.Seconds / one.Seconds)} x one node); progress delay {two.Delay}");
    }

    private static Dictionary<string, string> PostgreSql(string connectionString) => new()
    {
        ["Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:Replication"] = connectionString,
    };

    private static async Task<NodesRun> ReplicateAsync(
        string name,
        BenchmarkSettings settings,
        RegistryProcess source,
        BenchmarkCorpus corpus,
        IReadOnlyList<Dictionary<string, string>> nodes,
        CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"  {name}: starting {nodes.Count} node(s) ...");
        await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        var apps = new List<AppProcess>();
        try
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = new Dictionary<string, string>(nodes[i])
                {
                    ["Replication:Jobs:NodeName"] = $"node-{(char)('a' + i)}",
                    ["Replication:Jobs:WorkerCount"] = settings.NodeWorkers.ToString(CultureInfo.InvariantCulture),
                    ["Logging:LogLevel:Default"] = "Warning",
                };
                apps.Add(await AppProcess.StartAsync(node));
            }

            using var api = new AdminApi(apps[0].Url);
            var sourceId = await api.CreateRegistryAsync("bench-source", source.Url);
            var destinationId = await api.CreateRegistryAsync("bench-destination", destination.Url);
            var rules = new List<int>();
            for (var r = 0; r < settings.NodeRules; r++)
            {
                // Every rule a slice of the repositories, so the rules can run side by side.
                var slice = corpus.Repositories.Where((_, index) => index % settings.NodeRules == r)
                    .Select(repository => repository[(BenchmarkCorpus.Project.Length + 1)..]).ToList();
                rules.Add(await api.CreateRuleAsync($"bench-{r}", sourceId, destinationId, BenchmarkCorpus.Project, slice));
            }

            var clock = Stopwatch.StartNew();
            var executions = new List<long>();
            foreach (var rule in rules)
            {
                executions.Add(await api.ReplicateAsync(rule));
            }

            var finished = new Dictionary<long, (string Status, string? Node)>();
            while (finished.Count < executions.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var id in executions.Where(id => !finished.ContainsKey(id)))
                {
                    var execution = await api.ExecutionAsync(id);
                    var status = execution.GetProperty("status").GetString()!;
                    if (status is "succeeded" or "failed" or "partiallyFailed" or "stopped")
                    {
                        finished[id] = (status, execution.TryGetProperty("node", out var node) ? node.GetString() : null);
                    }
                }

                if (clock.Elapsed > TimeSpan.FromMinutes(30))
                {
                    throw new BenchmarkFailedException($"{name}: {executions.Count - finished.Count} executions still unfinished after 30 minutes.");
                }

                await Task.Delay(100, cancellationToken);
            }

            clock.Stop();
            var failed = finished.Where(f => f.Value.Status != "succeeded").Select(f => $"#{f.Key} {f.Value.Status}").ToList();
            if (failed.Count > 0)
            {
                throw new BenchmarkFailedException($"{name}: executions did not succeed: {string.Join(", ", failed)}.");
            }

            await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, name, cancellationToken);
            var perNode = string.Join(", ", finished.Values.GroupBy(f => f.Node ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
            var delay = nodes.Count > 1 ? await RelayDelayAsync(apps) : "n/a (one node)";
            Console.WriteLine($"    {clock.Elapsed.TotalSeconds:0.00} s for {corpus.Images.Count} tags in {executions.Count} executions ({perNode}); verified");
            return new NodesRun(name, clock.Elapsed.TotalSeconds, perNode, delay);
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Mean and an upper bound of the 95th percentile, from the receiving nodes' histograms together.</summary>
    private static async Task<string> RelayDelayAsync(IReadOnlyList<AppProcess> apps)
    {
        double count = 0, sum = 0;
        var buckets = new SortedDictionary<double, double>();
        foreach (var app in apps)
        {
            using var api = new AdminApi(app.Url);
            foreach (var line in (await api.MetricsAsync()).Split('\n'))
            {
                if (line.StartsWith(DelaySeries + "_count", StringComparison.Ordinal))
                {
                    count += Value(line);
                }
                else if (line.StartsWith(DelaySeries + "_sum", StringComparison.Ordinal))
                {
                    sum += Value(line);
                }
                else if (line.StartsWith(DelaySeries + "_bucket", StringComparison.Ordinal) && !line.Contains("+Inf", StringComparison.Ordinal))
                {
                    var bound = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
                    var le = double.Parse(bound[..bound.IndexOf('"', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                    buckets[le] = buckets.GetValueOrDefault(le) + Value(line);
                }
            }
        }

        if (count == 0)
        {
            return "no progress crossed nodes";
        }

        var p95 = buckets.FirstOrDefault(b => b.Value >= 0.95 * count).Key;
        return $"mean {sum / count * 1000:0.0} ms, 95th percentile <= {(p95 > 0 ? $"{p95 * 1000:0.#} ms" : "more than 2.5 s")} over {count:0} pictures";
    }

    /// <summary>The sample's value: <c>name{labels} value [timestamp]</c>.</summary>
    private static double Value(string line)
    {
        var afterName = line[(line.LastIndexOf('}') + 1)..].Trim();
        return double.Parse(afterName.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private sealed record NodesRun(string Name, double Seconds, string PerNode, string Delay);
}
