using System.Diagnostics;
using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;

namespace Replication.Engine.Tests.Copying;

[Collection(RegistryFixture.Collection)]
public sealed class BandwidthLimitTests(RegistryFixture registries, ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_rules_limit_is_shared_by_all_its_parallel_transfers()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 2 * MiB, 2 * MiB, 2 * MiB));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { BandwidthLimitKiBps = 2048 };

        var clock = Stopwatch.StartNew();
        var result = await engine.Runner.ReplicateAsync(scope);
        clock.Stop();

        // Three streams at once: a per-stream limit would finish in about 1 s, the shared one needs 3 s for 6 MiB.
        var rate = 6.0 * MiB / 1024 / clock.Elapsed.TotalSeconds;
        output.WriteLine($"6 MiB in {clock.Elapsed.TotalSeconds:0.00} s = {rate:0} KiB/s (limit 2048 KiB/s)");
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.7, 6.0);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", "v1");
    }

    [Fact]
    public async Task The_global_default_applies_to_rules_without_their_own_and_zero_lifts_it()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 2 * MiB));
        await src.PushImageAsync($"{project}/web", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 2 * MiB));
        using var engine = new TestEngine(new ReplicationOptions { BandwidthLimitKiBps = 1024, TaskRetryDelay = TimeSpan.FromMilliseconds(100) });

        var limited = Stopwatch.StartNew();
        await engine.Runner.ReplicateAsync(TestEngine.Scope(source, project, destination, TestEngine.NewProject("d")) with { Filter = new ImageFilter { IncludeRepositories = ["app"] } });
        limited.Stop();
        var unlimited = Stopwatch.StartNew();
        await engine.Runner.ReplicateAsync(TestEngine.Scope(source, project, destination, TestEngine.NewProject("d")) with { Filter = new ImageFilter { IncludeRepositories = ["web"] }, BandwidthLimitKiBps = 0 });
        unlimited.Stop();

        output.WriteLine($"default 1 MiB/s: {limited.Elapsed.TotalSeconds:0.00} s; rule 0 (unlimited): {unlimited.Elapsed.TotalSeconds:0.00} s");
        Assert.InRange(limited.Elapsed.TotalSeconds, 1.8, 5.0);
        Assert.True(unlimited.Elapsed.TotalSeconds < 1.5, $"unlimited took {unlimited.Elapsed.TotalSeconds:0.00} s");
    }
}
