using System.Runtime.CompilerServices;
using Replication.Engine.Progress;

namespace Replication.Engine.Copying;

/// <summary>
/// Reads the source manifest trees of a run's copies, in order, at most <see cref="ReplicationOptions.MaxSizedAhead"/>
/// copies ahead of the copying. Each tree is read once: by the sizing when it gets there first, else by the copy
/// itself. A run with no more copies than the window is sized whole before it starts, so its byte total is final from
/// the start; a larger one starts once the first window is sized and holds at most a window of trees, not one per tag.
/// </summary>
internal sealed class CopySizing : IDisposable
{
    private readonly ArtifactCopier _copier;
    private readonly IReadOnlyList<ReplicationTask> _copies;
    private readonly Func<ReplicationTask, TaskProgress> _progress;
    private readonly int _parallel;
    private readonly Lock _lock = new();
    // A copy is claimed once, by the sizing or by the copying; the sizing's reads not yet taken are in _started.
    private readonly bool[] _claimed;
    private readonly Dictionary<int, Task<ResolvedManifest?>> _started = [];

    // One slot per copy that may be sized before the copying takes it: the sizing waits for a slot, taking a copy frees one.
    private readonly SemaphoreSlim _window;

    public CopySizing(ArtifactCopier copier, IReadOnlyList<ReplicationTask> copies, Func<ReplicationTask, TaskProgress> progress, ReplicationOptions options)
    {
        _copier = copier;
        _copies = copies;
        _progress = progress;
        _parallel = options.MaxParallelChecks;
        _claimed = new bool[copies.Count];
        _window = new SemaphoreSlim(options.MaxSizedAhead);
        FirstWindow = Math.Min(options.MaxSizedAhead, copies.Count);
    }

    /// <summary>The copies sized before the run starts: all of them when they fit in the window.</summary>
    public int FirstWindow { get; }

    /// <summary>Whether the run has copies beyond the first window: it starts with a partial byte total, which grows as they are sized.</summary>
    public bool IsPartial => FirstWindow < _copies.Count;

    /// <summary>Sizes the first window, before the run starts.</summary>
    public Task SizeFirstWindowAsync(CancellationToken cancellationToken) => SizeAsync(0, FirstWindow, cancellationToken);

    /// <summary>Sizes the copies beyond the first window, as the copying frees places in it.</summary>
    public Task SizeRestAsync(CancellationToken cancellationToken) => SizeAsync(FirstWindow, _copies.Count, cancellationToken);

    /// <summary>
    /// The copying takes copy <paramref name="index"/> (once, in order, whatever then becomes of it): the sizing's read
    /// of its tree, or null when the sizing has not begun it (the copy then reads it itself). Frees the copy's place in
    /// the window.
    /// </summary>
    public Task<ResolvedManifest?>? Take(int index)
    {
        Task<ResolvedManifest?>? sizing;
        lock (_lock)
        {
            _started.Remove(index, out sizing);
            _claimed[index] = true;
        }

        _window.Release();
        return sizing;
    }

    public void Dispose() => _window.Dispose();

    /// <summary>Sizes copies [<paramref name="from"/>, <paramref name="to"/>) in order, as the window allows; a stop ends it quietly (every task then ends as stopped).</summary>
    private async Task SizeAsync(int from, int to, CancellationToken cancellationToken)
    {
        try
        {
            await Parallel.ForEachAsync(
                AdmittedAsync(from, to, cancellationToken),
                new ParallelOptions { MaxDegreeOfParallelism = _parallel, CancellationToken = cancellationToken },
                async (index, token) =>
                {
                    if (Claim(index, token) is { } sizing)
                    {
                        await sizing.ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async IAsyncEnumerable<int> AdmittedAsync(int from, int to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var index = from; index < to; index++)
        {
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            yield return index;
        }
    }

    /// <summary>Starts sizing the copy unless the copying took it first; the started read, or null.</summary>
    private Task? Claim(int index, CancellationToken cancellationToken)
    {
        var sized = new TaskCompletionSource<ResolvedManifest?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_claimed[index])
            {
                return null;
            }

            _claimed[index] = true;
            _started[index] = sized.Task;
        }

        return ReadAsync(_copies[index], sized, cancellationToken);
    }

    private async Task ReadAsync(ReplicationTask task, TaskCompletionSource<ResolvedManifest?> sized, CancellationToken cancellationToken)
    {
        ResolvedManifest? tree = null;
        try
        {
            tree = await _copier.ResolveTaskAsync(task, cancellationToken).ConfigureAwait(false);
            _progress(task).AddBlobs(tree.AllBlobs);
        }
#pragma warning disable CA1031 // The copy reads it again and reports the failure properly (or, stopped, ends as stopped).
        catch (Exception)
#pragma warning restore CA1031
        {
            tree = null;
        }

        sized.SetResult(tree);
    }
}
