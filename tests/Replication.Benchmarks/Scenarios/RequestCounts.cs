using System.Globalization;
using System.Text;
using Replication.Benchmarks.Corpus;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Registry;
using Replication.Testing.Faults;
using Replication.Testing.Registries;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// What each copier asks the registries: an engine cold copy, the engine's warm run, an engine cold copy of tasks
/// rebuilt from storage (as the app runs them) and a skopeo sync cold copy, each
/// through a recording proxy in front of both registries (the fixtures' <see cref="FaultProxy"/>, no faults), counted by
/// kind. Not timed: the proxies cost time of their own. Auth challenges do not occur (anonymous registries).
/// </summary>
public static class RequestCounts
{
    public static async Task RunAsync(BenchmarkSettings settings, RegistryProcess source, BenchmarkCorpus corpus, string workDirectory, bool skopeo, CancellationToken cancellationToken)
    {
        var columns = new List<(string Name, Dictionary<string, int> Source, Dictionary<string, int> Destination)>();
        await using var sourceProxy = await FaultProxy.StartAsync(source, cancellationToken);

        await using (var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken))
        await using (var destinationProxy = await FaultProxy.StartAsync(destination, cancellationToken))
        {
            Console.WriteLine($"  engine cold copy through recording proxies into {destination.Url} ...");
            var cold = await EngineCopy.RunAsync(settings, sourceProxy.Url, destinationProxy.Url, BenchmarkCorpus.Project, [], cancellationToken);
            if (cold.Result.Count(TaskOutcome.Copied) != corpus.Images.Count)
            {
                throw new BenchmarkFailedException($"The counted engine cold copy copied {cold.Result.Count(TaskOutcome.Copied)} tags, expected {corpus.Images.Count}.");
            }

            await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, "counted engine cold copy", cancellationToken);
            columns.Add(("engine cold", Tally(sourceProxy), Tally(destinationProxy)));

            // With the record of what the cold copy pushed, as the app runs every rule.
            Console.WriteLine("  engine warm run through recording proxies ...");
            await EngineCopy.RunAsync(settings, sourceProxy.Url, destinationProxy.Url, BenchmarkCorpus.Project, [.. cold.Result.Tasks.SelectMany(t => t.Replicated)], cancellationToken);
            columns.Add(("engine warm", Tally(sourceProxy), Tally(destinationProxy)));
        }

        await using (var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken))
        await using (var destinationProxy = await FaultProxy.StartAsync(destination, cancellationToken))
        {
            Console.WriteLine($"  engine cold copy of stored tasks through recording proxies into {destination.Url} ...");
            await StoredTasksCopyAsync(settings, sourceProxy.Url, destinationProxy.Url, corpus, cancellationToken);
            await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, "counted engine cold copy of stored tasks", cancellationToken);
            columns.Add(("engine stored", Tally(sourceProxy), Tally(destinationProxy)));
        }

        if (skopeo)
        {
            await using var destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous, cancellationToken);
            await using var destinationProxy = await FaultProxy.StartAsync(destination, cancellationToken);
            Console.WriteLine($"  skopeo sync cold copy through recording proxies into {destination.Url} ...");
            var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "counted-skopeo"));
            await new SkopeoSync(directory.FullName, sourceProxy.Authority, corpus.Repositories).RunAsync(destinationProxy.Authority, BenchmarkCorpus.Project, cancellationToken);
            await DestinationCheck.VerifyTagsAsync(destination.Url, corpus.Images, "counted skopeo sync cold copy", cancellationToken);
            columns.Add(("skopeo cold", Tally(sourceProxy), Tally(destinationProxy)));
        }

        Console.WriteLine();
        Console.Write(Render(columns));
    }

    /// <summary>
    /// The product's way: the app stores the planned tasks and runs them rebuilt from its rows, which keep the
    /// repositories, tag, digest and kind only (no referrer tags, no planned destination).
    /// </summary>
    private static async Task StoredTasksCopyAsync(BenchmarkSettings settings, string sourceUrl, string destinationUrl, BenchmarkCorpus corpus, CancellationToken cancellationToken)
    {
        using var factory = new RegistryClientFactory(settings.ClientOptions());
        var scope = EngineCopy.Scope(sourceUrl, destinationUrl, BenchmarkCorpus.Project);
        var plan = await new ReplicationPlanner(factory, settings.EngineOptions()).PlanAsync(scope, cancellationToken);
        var stored = plan.ToTasks().Select(t => new ReplicationTask
        {
            Id = t.Id,
            Operation = t.Operation,
            SourceRepository = t.SourceRepository,
            DestinationRepository = t.DestinationRepository,
            Tag = t.Tag,
            Digest = t.Digest,
            Kind = t.Kind,
        }).ToList();
        var result = await new ReplicationRunner(factory, settings.EngineOptions()).RunAsync(scope, stored, null, cancellationToken);
        if (result.Count(TaskOutcome.Copied) != corpus.Images.Count)
        {
            throw new BenchmarkFailedException($"The counted copy of stored tasks copied {result.Count(TaskOutcome.Copied)} tags, expected {corpus.Images.Count}: {result}");
        }
    }

    /// <summary>Counts by kind of what the proxy recorded since the last tally, and forgets it.</summary>
    private static Dictionary<string, int> Tally(FaultProxy proxy)
    {
        var counts = proxy.Exchanges.CountBy(RequestKind.Of).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        proxy.ClearExchanges();
        return counts;
    }

    private static string Render(List<(string Name, Dictionary<string, int> Source, Dictionary<string, int> Destination)> columns)
    {
        var kinds = columns.SelectMany(c => c.Source.Keys.Concat(c.Destination.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"Requests (source / destination)",-30}");
        foreach (var column in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {column.Name,15}");
        }

        text.AppendLine();
        foreach (var kind in kinds)
        {
            text.Append(CultureInfo.InvariantCulture, $"{kind,-30}");
            foreach (var column in columns)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Cell(column.Source.GetValueOrDefault(kind), column.Destination.GetValueOrDefault(kind)),15}");
            }

            text.AppendLine();
        }

        text.Append(CultureInfo.InvariantCulture, $"{"total",-30}");
        foreach (var column in columns)
        {
            var (s, d) = (column.Source.Values.Sum(), column.Destination.Values.Sum());
            text.Append(CultureInfo.InvariantCulture, $" {$"{s + d} ({s}/{d})",15}");
        }

        return text.AppendLine().ToString();
    }

    private static string Cell(int source, int destination) => source + destination == 0 ? "-" : $"{source} / {destination}";
}
