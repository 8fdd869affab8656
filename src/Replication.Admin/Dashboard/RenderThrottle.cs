namespace Replication.Admin.Dashboard;

/// <summary>
/// Coalesces bursts of progress into at most one refresh per interval: the first request after a quiet period runs
/// at once, later ones within the interval fold into a single trailing run. The refresh runs off the caller's thread
/// (a component passes <c>() =&gt; InvokeAsync(StateHasChanged)</c>), so publishers never wait for rendering.
/// </summary>
public sealed class RenderThrottle : IDisposable
{
    private readonly Func<Task> _refresh;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private DateTimeOffset _lastRun = DateTimeOffset.MinValue;
    private bool _scheduled;
    private volatile Exception? _lastError;

    public RenderThrottle(Func<Task> refresh, TimeSpan interval, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        _refresh = refresh;
        _interval = interval;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Asks for a refresh; returns at once.</summary>
    public void Request()
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_scheduled || _disposed.IsCancellationRequested)
            {
                return;
            }

            _scheduled = true;
            var since = _clock.GetUtcNow() - _lastRun;
            wait = since >= _interval ? TimeSpan.Zero : _interval - since;
        }

        _ = RunAsync(wait);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
        }

        _disposed.Dispose();
    }

    private async Task RunAsync(TimeSpan wait)
    {
        CancellationToken token;
        try
        {
            token = _disposed.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, token);
            }
            else
            {
                await Task.Yield();
            }

            lock (_gate)
            {
                _scheduled = false;
                _lastRun = _clock.GetUtcNow();
            }

            if (!token.IsCancellationRequested)
            {
                await _refresh();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the component is gone.
        }
        catch (ObjectDisposedException)
        {
            // The renderer went away between the check and the refresh.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A refresh that failed (the database busy, the circuit gone) is not fatal: the next update tries again.
            _lastError = exception;
        }
    }

    /// <summary>The last refresh failure, for diagnostics; null when none failed.</summary>
    public Exception? LastError => _lastError;
}
