using Replication.Testing.Images;

namespace Replication.Engine.Tests.Infrastructure;

/// <summary>
/// Polls a destination project while a run is going, the way a puller would see it, and remembers every tag that was
/// visible while something it refers to was missing.
/// </summary>
public sealed class PartialImageWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _violations = [];

    public PartialImageWatcher(OciTestClient registry, string project)
    {
        _loop = Task.Run(async () =>
        {
            // The last pass runs after the stop request, so every watched run is looked at at least once.
            var last = false;
            while (!last)
            {
                last = _stop.IsCancellationRequested;
                try
                {
                    await DestinationAssert.NothingPartialAsync(registry, project);
                    Polls++;
                }
                catch (Xunit.Sdk.XunitException ex)
                {
                    // A tag may vanish between listing and reading; only a tag whose parts are missing counts.
                    if (!ex.Message.Contains("is missing", StringComparison.Ordinal) || ex.Message.Contains("refers to", StringComparison.Ordinal))
                    {
                        lock (_violations)
                        {
                            _violations.Add(ex.Message);
                        }
                    }
                }

                if (!last)
                {
                    await Task.Delay(20);
                }
            }
        });
    }

    /// <summary>Completed passes over the whole project.</summary>
    public int Polls { get; private set; }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_violations)
            {
                return [.. _violations];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
