using System.Collections.Concurrent;
using Replication.Registry.Content;

namespace Replication.Engine.Progress;

/// <summary>
/// Byte accounting of one run. The run counts each blob digest once, however many tags share it; a task counts the
/// blobs of its own artifact. Streamed bytes move both forward as they flow; a blob that ends mounted or present
/// completes at once.
/// </summary>
internal sealed class RunProgress
{
    private readonly IProgress<ReplicationEvent>? _observer;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DigestProgress> _digests = new(StringComparer.Ordinal);
    private long _total;
    private long _done;
    private long _transferred;
    private int _observerFailures;

    public RunProgress(IProgress<ReplicationEvent>? observer, TimeProvider time, ReplicationOptions options)
    {
        _observer = observer;
        _time = time;
        Options = options;
    }

    public ReplicationOptions Options { get; }

    public TimeProvider Time => _time;

    public long Total => Interlocked.Read(ref _total);

    public long Done => Interlocked.Read(ref _done);

    public long Transferred => Interlocked.Read(ref _transferred);

    public void Report(ReplicationEvent e)
    {
        if (_observer is null)
        {
            return;
        }

        try
        {
            _observer.Report(e with { Timestamp = _time.GetUtcNow() });
        }
#pragma warning disable CA1031 // A broken progress display must not break replication; the run's result still says everything.
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _observerFailures);
        }
    }

    /// <summary>Events the observer threw on (they were dropped).</summary>
    public int ObserverFailures => Volatile.Read(ref _observerFailures);

    public TaskProgress ForTask(string taskId) => new(this, taskId);

    /// <summary>Adds a digest to the run total the first time it is seen.</summary>
    internal void Register(string digest, long size)
    {
        var added = false;
        _digests.GetOrAdd(digest, _ =>
        {
            added = true;
            return new DigestProgress(size);
        });
        if (added)
        {
            Interlocked.Add(ref _total, size);
        }
    }

    /// <summary>Counts streamed bytes of a digest toward the run, never beyond its size.</summary>
    internal void Streamed(string digest, long bytes)
    {
        Interlocked.Add(ref _transferred, bytes);
        if (_digests.TryGetValue(digest, out var state))
        {
            Interlocked.Add(ref _done, state.Advance(bytes));
        }
    }

    /// <summary>The digest is at the destination: whatever was not yet counted is done.</summary>
    internal void Completed(string digest)
    {
        if (_digests.TryGetValue(digest, out var state))
        {
            Interlocked.Add(ref _done, state.Complete());
        }
    }

    private sealed class DigestProgress(long size)
    {
        private long _counted;

        /// <summary>Counts up to <paramref name="bytes"/> more, capped at the size; returns what was counted.</summary>
        public long Advance(long bytes)
        {
            while (true)
            {
                var counted = Interlocked.Read(ref _counted);
                var next = Math.Min(size, counted + bytes);
                if (Interlocked.CompareExchange(ref _counted, next, counted) == counted)
                {
                    return next - counted;
                }
            }
        }

        public long Complete() => Interlocked.Exchange(ref _counted, size) is var before && before < size ? size - before : 0;
    }
}

/// <summary>Byte accounting of one task, with throttled <see cref="BytesTransferred"/> events.</summary>
internal sealed class TaskProgress
{
    private readonly RunProgress _run;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Size, long Counted)> _blobs = new(StringComparer.Ordinal);
    private long _total;
    private long _done;
    private long _transferred;
    private long _lastReportedDone;
    private long _lastReportedAt;

    public TaskProgress(RunProgress run, string taskId)
    {
        _run = run;
        TaskId = taskId;
    }

    public string TaskId { get; }

    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public long Done
    {
        get
        {
            lock (_lock)
            {
                return _done;
            }
        }
    }

    public long Transferred
    {
        get
        {
            lock (_lock)
            {
                return _transferred;
            }
        }
    }

    public void Report(ReplicationEvent e) => _run.Report(e);

    /// <summary>The task has ended: its totals stay, the blobs it counted are let go (20,000 tasks would keep them all).</summary>
    public void Release()
    {
        lock (_lock)
        {
            _blobs.Clear();
            _blobs.TrimExcess();
        }
    }

    /// <summary>Adds the blobs of (part of) the artifact to the task's and the run's totals, each digest once.</summary>
    public void AddBlobs(IEnumerable<Descriptor> blobs)
    {
        lock (_lock)
        {
            foreach (var blob in blobs)
            {
                if (_blobs.TryAdd(blob.Digest, (blob.Size, 0)))
                {
                    _total += blob.Size;
                }
            }
        }

        foreach (var blob in blobs)
        {
            _run.Register(blob.Digest, blob.Size);
        }
    }

    /// <summary>Bytes of a blob streamed by this task.</summary>
    public void Streamed(string digest, long bytes)
    {
        bool due;
        lock (_lock)
        {
            _transferred += bytes;
            if (_blobs.TryGetValue(digest, out var blob))
            {
                var add = Math.Min(bytes, blob.Size - blob.Counted);
                _blobs[digest] = (blob.Size, blob.Counted + add);
                _done += add;
            }

            var now = _run.Time.GetTimestamp();
            due = _done - _lastReportedDone >= _run.Options.ProgressByteInterval
                || _run.Time.GetElapsedTime(_lastReportedAt, now) >= _run.Options.ProgressTimeInterval;
            if (due)
            {
                _lastReportedDone = _done;
                _lastReportedAt = now;
            }
        }

        _run.Streamed(digest, bytes);
        if (due)
        {
            ReportBytes();
        }
    }

    /// <summary>A blob of the artifact is at the destination.</summary>
    public void BlobDone(string repository, Descriptor blob, BlobOutcome outcome, string? mountedFrom)
    {
        lock (_lock)
        {
            if (!_blobs.TryGetValue(blob.Digest, out var state))
            {
                state = (blob.Size, 0);
                _total += blob.Size;
            }

            _done += state.Size - state.Counted;
            _blobs[blob.Digest] = (state.Size, state.Size);
            _lastReportedDone = _done;
            _lastReportedAt = _run.Time.GetTimestamp();
        }

        _run.Register(blob.Digest, blob.Size);
        _run.Completed(blob.Digest);
        _run.Report(new BlobFinished(TaskId, repository, blob.Digest, blob.Size, outcome, mountedFrom));
        ReportBytes();
    }

    /// <summary>These blobs are at the destination without a blob request (their manifest already is): count them done quietly.</summary>
    public void MarkDone(IEnumerable<Descriptor> blobs)
    {
        var digests = new List<string>();
        lock (_lock)
        {
            foreach (var blob in blobs)
            {
                if (!_blobs.TryGetValue(blob.Digest, out var state))
                {
                    state = (blob.Size, 0);
                    _total += blob.Size;
                    _run.Register(blob.Digest, blob.Size);
                }

                _done += state.Size - state.Counted;
                _blobs[blob.Digest] = (state.Size, state.Size);
                digests.Add(blob.Digest);
            }
        }

        foreach (var digest in digests)
        {
            _run.Completed(digest);
        }

        ReportBytes();
    }

    private void ReportBytes()
    {
        long done, total;
        lock (_lock)
        {
            done = _done;
            total = _total;
        }

        _run.Report(new BytesTransferred(TaskId, done, total, _run.Done, _run.Total, _run.Transferred));
    }
}
