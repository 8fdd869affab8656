using Replication.Benchmarks;
using Replication.Benchmarks.Scenarios;

BenchmarkSettings settings;
try
{
    settings = BenchmarkSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkSettings.Usage);
    return 2;
}

if (settings.Help)
{
    Console.WriteLine(BenchmarkSettings.Usage);
    return 0;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Cancel instead of dying, so every registry process and temporary directory is cleaned up on the way out.
    e.Cancel = true;
    stop.Cancel();
};

try
{
    return settings.PeakChild is not null ? await PeakMemoryProbe.RunChildAsync(settings, stop.Token)
        : settings.History ? await HistoryAtScale.RunAsync(settings, stop.Token)
        : settings.Scale ? await ScaleRun.RunAsync(settings, stop.Token)
        : await new BenchmarkRun(settings).ExecuteAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Benchmark interrupted.");
    return 130;
}
catch (BenchmarkFailedException e)
{
    Console.Error.WriteLine($"Benchmark FAILED: {e.Message}");
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"Benchmark FAILED: {e}");
    return 1;
}
