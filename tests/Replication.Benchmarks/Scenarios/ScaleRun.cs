using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Registry;
using Replication.Testing.App;
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

        if (settings.ScaleAppOnly)
        {
            var alone = await ThroughTheAppAsync(source, corpus, cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"scale (app only): tags {corpus.TagCount}; app cold {alone.Cold.TotalSeconds:0.0} s; app warm {alone.Warm.TotalSeconds:0.0} s; app peak MiB {alone.PeakMiB:0}");
            return 0;
        }

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

        var app = settings.ScaleApp ? await ThroughTheAppAsync(source, corpus, cancellationToken) : null;

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
            $"warm {warm.TotalSeconds:0.0} s ({Ratio(warmRatio)} × skopeo); app peak MiB {(app is null ? "n/a" : app.PeakMiB.ToString("0", CultureInfo.InvariantCulture))}; " +
            $"history API {(app is null ? "n/a" : app.HistoryApiMs.ToString("0", CultureInfo.InvariantCulture) + " ms")}");
        return 0;
    }

    private sealed record AppRuns(TimeSpan Cold, TimeSpan Warm, double PeakMiB, double HistoryApiMs);

    /// <summary>
    /// The same rule through the app's job path: the real app on SQLite (tasks and progress saved as in production), a
    /// rule made through the API, Replicate twice (cold into a fresh registry, then warm); its peak resident memory
    /// from <c>/proc</c> (VmHWM, start-up included), and the slowest of the execution API and a page of its tasks.
    /// </summary>
    private static async Task<AppRuns> ThroughTheAppAsync(RegistryProcess source, ScaleCorpus corpus, CancellationToken cancellationToken)
    {
        await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
        await using var process = await AppProcess.StartAsync();
        using var api = AdminApi.SignedInClient(process.Url);
        var sourceId = await AdminApi.PostForIdAsync(api, "/api/v1/registries", new { name = "scale-source", url = source.Url, type = "docker-registry" }, cancellationToken);
        var destinationId = await AdminApi.PostForIdAsync(api, "/api/v1/registries", new { name = "scale-destination", url = destination.Url, type = "docker-registry" }, cancellationToken);
        var ruleId = await AdminApi.PostForIdAsync(api, "/api/v1/rules", new
        {
            name = "scale",
            sourceRegistryId = sourceId,
            sourceProject = Project,
            repositories = new { include = Array.Empty<string>(), exclude = Array.Empty<string>() },
            tags = new { include = Array.Empty<string>(), exclude = Array.Empty<string>() },
            destinationRegistryId = destinationId,
            destinationProject = "",
            trigger = new { mode = "manual" },
            @override = true,
            includeReferrers = true,
            enabled = true,
        }, cancellationToken);

        var peaks = new List<(string Step, double MiB)> { ("start-up", PeakMiB(process.ProcessId)) };
        void StepEnded(string step) => peaks.Add((step, PhasePeakMiB(process.ProcessId)));
        var dryClock = Stopwatch.StartNew();
        using (var dry = await api.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null, cancellationToken))
        {
            var plan = await dry.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var toCopy = dry.IsSuccessStatusCode ? plan.GetProperty("copy").GetArrayLength() : -1;
            if (toCopy != corpus.TagCount)
            {
                throw new BenchmarkFailedException($"the app's dry run answered {(int)dry.StatusCode} with {toCopy} of {corpus.TagCount} tags to copy");
            }

            Console.WriteLine($"  app dry run            {dryClock.Elapsed.TotalSeconds,7:0.0} s  (POST /api/v1/rules/{ruleId}/dry-run: {toCopy:N0} tags to copy)");
        }

        StepEnded("dry run");

        var (cold, coldId) = await ReplicateAsync(api, ruleId, corpus.TagCount, cancellationToken);
        await VerifySampleAsync(destination, corpus, corpus.Digests.Keys, cancellationToken);
        Console.WriteLine($"  app cold               {cold.TotalSeconds,7:0.0} s  (execution {coldId}: {corpus.TagCount:N0} tasks succeeded; sample of {Sample} digests verified)");
        StepEnded("cold");
        var (warm, warmId) = await ReplicateAsync(api, ruleId, 0, cancellationToken);
        StepEnded("warm");
        Console.WriteLine($"  app warm               {warm.TotalSeconds,7:0.0} s  (execution {warmId}: nothing to copy)");

        var history = 0.0;
        foreach (var path in new[] { $"/api/v1/executions/{coldId}", $"/api/v1/executions/{coldId}/tasks?skip={Math.Max(0, corpus.TagCount - 50)}&take=50", "/api/v1/executions?pageSize=25" })
        {
            var clock = Stopwatch.StartNew();
            using var response = await api.GetAsync(path, cancellationToken);
            response.EnsureSuccessStatusCode();
            history = Math.Max(history, clock.Elapsed.TotalMilliseconds);
        }

        var peak = peaks.Max(p => p.MiB);
        Console.WriteLine($"  app peak resident memory {peak:0} MiB ({string.Join(", ", peaks.Select(p => $"{p.Step} {p.MiB:0}"))}); slowest of execution, tasks page and list API {history:0} ms");
        return new AppRuns(cold, warm, peak, history);
    }

    private static async Task<(TimeSpan Elapsed, long Id)> ReplicateAsync(HttpClient api, int ruleId, int expectedCopies, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var started = await api.PostAsync($"/api/v1/rules/{ruleId}/executions", null, cancellationToken);
        var text = await started.Content.ReadAsStringAsync(cancellationToken);
        if (!started.IsSuccessStatusCode)
        {
            throw new BenchmarkFailedException($"Replicate answered {(int)started.StatusCode}: {text}");
        }

        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        var deadline = TimeSpan.FromMinutes(30);
        while (clock.Elapsed < deadline)
        {
            var execution = await api.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{id}", cancellationToken);
            var status = execution.GetProperty("status").GetString();
            if (status is not ("pending" or "running"))
            {
                var elapsed = clock.Elapsed;
                var succeeded = execution.GetProperty("succeeded").GetInt32();
                if (status != "succeeded" || succeeded != expectedCopies)
                {
                    throw new BenchmarkFailedException($"execution {id} ended {status} with {succeeded} of {expectedCopies} copies: {execution}");
                }

                return (elapsed, id);
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new BenchmarkFailedException($"execution {id} did not finish within {deadline.TotalMinutes} minutes");
    }

    /// <summary>The process's peak resident memory so far (VmHWM), in MiB.</summary>
    private static double PeakMiB(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>
    /// The peak of the step that just ended, then starts the next step's from what is resident now: writing 5 to
    /// <c>clear_refs</c> resets VmHWM (Linux 4.0 and later; the benchmark runs as the app's owner).
    /// </summary>
    private static double PhasePeakMiB(int processId)
    {
        var peak = PeakMiB(processId);
        File.WriteAllText($"/proc/{processId}/clear_refs", "5");
        return peak;
    }

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

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
