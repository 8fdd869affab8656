using System.Collections.Concurrent;
using System.Diagnostics;
using Replication.Engine.Planning;
using Replication.Engine.Progress;
using Replication.Engine.Projects;
using Replication.Registry;

namespace Replication.Engine.Copying;

/// <summary>What one run shares among its tasks: clients, limits, the blob dedupe map and byte accounting.</summary>
internal sealed class RunContext : IDisposable
{
    public RunContext(ReplicationScope scope, IRegistryClient source, IRegistryClient destination, ReplicationOptions options, RunProgress progress, IReadOnlyList<ReplicationTask> tasks)
    {
        Scope = scope;
        Source = source;
        Destination = destination;
        Options = options;
        Progress = progress;
        Checks = new SemaphoreSlim(options.MaxParallelChecks);
        Bandwidth = BandwidthLimiter.For(scope.BandwidthLimitKiBps ?? options.BandwidthLimitKiBps);
        var newRepositories = tasks.Where(t => t.NewDestinationRepository).Select(t => t.DestinationRepository).ToHashSet(StringComparer.Ordinal);
        Blobs = new BlobCopier(source, destination, options.MaxParallelBlobs, Bandwidth, newRepositories);
        ReferrersApi = new SourceReferrersApi(source);
        var withoutListing = tasks.Where(t => t.Operation == TaskOperation.Copy && t.ReferrerTags is null)
            .CountBy(t => t.SourceRepository, StringComparer.Ordinal)
            .ToDictionary(StringComparer.Ordinal);
        ReferrerTags = new SourceReferrerTags(source, withoutListing);
    }

    public ReplicationScope Scope { get; }

    public IRegistryClient Source { get; }

    public IRegistryClient Destination { get; }

    public ReplicationOptions Options { get; }

    public RunProgress Progress { get; }

    /// <summary>Bounds manifest reads while sizing and copying.</summary>
    public SemaphoreSlim Checks { get; }

    public BlobCopier Blobs { get; }

    /// <summary>The byte budget all blob streams of this run share; null when unlimited.</summary>
    public BandwidthLimiter? Bandwidth { get; }

    /// <summary>Whether the source has the referrers API, learnt once per run.</summary>
    public SourceReferrersApi ReferrersApi { get; }

    /// <summary>Referrer tags for tasks that came without the plan's listing.</summary>
    public SourceReferrerTags ReferrerTags { get; }

    public void Dispose()
    {
        Checks.Dispose();
        Blobs.Dispose();
        ReferrersApi.Dispose();
    }
}

/// <summary>
/// Runs copy and delete tasks against the destination: artifacts in parallel (<see cref="ReplicationOptions.MaxParallelArtifacts"/>),
/// blob work in parallel across them (<see cref="ReplicationOptions.MaxParallelBlobs"/>), each blob digest transferred at
/// most once per run and mounted or skipped elsewhere, manifests pushed last with their exact bytes, referrers after
/// their subject, deletions after all copies. Reports <see cref="ReplicationEvent"/>s as it goes and returns a result
/// per task. Cancelling stops the run without making anything partial visible; the result then says
/// <see cref="RunOutcome.Stopped"/> (no exception).
/// </summary>
public sealed class ReplicationRunner
{
    private readonly IRegistryClientFactory _clients;
    private readonly ReplicationOptions _options;
    private readonly IProjectProvisioner _projects;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner.</summary>
    /// <param name="clients">Registry clients (the registry project's factory).</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="projects">Creates missing Harbor projects; a <see cref="HarborProjectProvisioner"/> when null.</param>
    /// <param name="timeProvider">Clock for event timestamps and throttling; the system clock when null.</param>
    public ReplicationRunner(
        IRegistryClientFactory clients,
        ReplicationOptions? options = null,
        IProjectProvisioner? projects = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _clients = clients;
        _options = options ?? new ReplicationOptions();
        _options.EnsureValid();
        _projects = projects ?? new HarborProjectProvisioner(clients);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Plans the scope and runs the plan: the simplest full replication (what a benchmark or a script wants).</summary>
    /// <exception cref="ReplicationException">Planning failed (the run did not start).</exception>
    /// <exception cref="OperationCanceledException">Cancelled while planning.</exception>
    public async Task<ReplicationRunResult> ReplicateAsync(ReplicationScope scope, IProgress<ReplicationEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var plan = await new ReplicationPlanner(_clients, _options).PlanAsync(scope, cancellationToken).ConfigureAwait(false);
        return await RunAsync(scope, plan.ToTasks(), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="tasks"/> (from <see cref="ReplicationPlan.ToTasks"/>, or rebuilt from storage for a retry).
    /// First sizes the copies (reads their source manifests; in a run of more than
    /// <see cref="ReplicationOptions.MaxSizedAhead"/> copies, the first that many) and sends <see cref="RunStarted"/> with
    /// the totals, then runs copies (creating a missing Harbor project before the first copy into it) while sizing the
    /// rest a window ahead, then deletions. Never throws for a task's failure or for cancellation: each task's result
    /// says what happened.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid scope, or two tasks share an id.</exception>
    public async Task<ReplicationRunResult> RunAsync(
        ReplicationScope scope,
        IReadOnlyList<ReplicationTask> tasks,
        IProgress<ReplicationEvent>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(tasks);
        scope.EnsureValid();
        if (tasks.GroupBy(t => t.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Two tasks share the id '{duplicate.Key}'; every event names its task by id.", nameof(tasks));
        }

        var started = Stopwatch.StartNew();
        using var run = new RunContext(scope, _clients.Create(scope.Source), _clients.Create(scope.Destination), _options, new RunProgress(progress, _time, _options), tasks);
        var copies = tasks.Where(t => t.Operation == TaskOperation.Copy).ToList();
        var copier = new ArtifactCopier(run, copies);
        var deletions = tasks.Where(t => t.Operation == TaskOperation.Delete).ToList();
        var remover = new DestinationTagRemover(run, deletions);
        var taskProgress = tasks.ToDictionary(t => t.Id, t => run.Progress.ForTask(t.Id), StringComparer.Ordinal);
        var results = new ConcurrentDictionary<string, TaskResult>(StringComparer.Ordinal);

        using var sizing = new CopySizing(copier, copies, t => taskProgress[t.Id], _options);
        await sizing.SizeFirstWindowAsync(cancellationToken).ConfigureAwait(false);
        var projects = new ProjectGate(_projects, scope);
        run.Progress.Report(new RunStarted(tasks.Count, copies.Count, deletions.Count, run.Progress.Total) { BytesTotalFinal = !sizing.IsPartial });

        // The copies beyond the first window are sized while the first ones copy, never more than a window ahead.
        var sizingRest = SizeRestAsync(run, sizing, cancellationToken);
        var trees = new ConcurrentDictionary<string, Task<ResolvedManifest?>>(StringComparer.Ordinal);
        await RunAllAsync(
            run,
            copies,
            taskProgress,
            results,
            async (task, token) =>
            {
                await projects.EnsureAsync(ProjectOf(task.DestinationRepository), token).ConfigureAwait(false);
                return await CopyAsync(copier, task, trees, taskProgress[task.Id], token).ConfigureAwait(false);
            },
            cancellationToken,
            taken: index =>
            {
                if (sizing.Take(index) is { } read)
                {
                    trees[copies[index].Id] = read;
                }
            }).ConfigureAwait(false);
        await sizingRest.ConfigureAwait(false);

        // Deletions after every copy, so a tag copied this run onto a shared digest is seen and kept.
        await RunAllAsync(run, deletions, taskProgress, results, (task, token) => remover.DeleteAsync(task, taskProgress[task.Id], token), cancellationToken).ConfigureAwait(false);

        var ordered = tasks.Select(t => results[t.Id]).ToList();
        var failed = ordered.Count(r => r.Outcome == TaskOutcome.Failed);
        var outcome = cancellationToken.IsCancellationRequested && ordered.Any(r => r.Outcome == TaskOutcome.Cancelled)
            ? RunOutcome.Stopped
            : failed == 0 ? RunOutcome.Succeeded
            : failed == ordered.Count ? RunOutcome.Failed
            : RunOutcome.PartiallyFailed;
        var result = new ReplicationRunResult
        {
            Tasks = ordered,
            Outcome = outcome,
            BytesTransferred = run.Progress.Transferred,
            Duration = started.Elapsed,
        };
        run.Progress.Report(new RunFinished(result));
        return result;
    }

    private static string ProjectOf(string repository) => repository.Split('/')[0];

    /// <summary>Sizes the copies beyond the first window; once all are, the run's byte total is final (<see cref="RunSized"/>).</summary>
    private static async Task SizeRestAsync(RunContext run, CopySizing sizing, CancellationToken cancellationToken)
    {
        if (!sizing.IsPartial)
        {
            return;
        }

        await Task.Yield();
        await sizing.SizeRestAsync(cancellationToken).ConfigureAwait(false);
        if (!cancellationToken.IsCancellationRequested)
        {
            run.Progress.Report(new RunSized(run.Progress.Total));
        }
    }

    /// <summary>
    /// Copies the task's tree: the one the sizing read, else (the sizing failed or had not got there, or this is a
    /// retry after such a read failed) one read now. The tree is kept for a retry and let go once copied.
    /// </summary>
    private static async Task<TaskResult> CopyAsync(
        ArtifactCopier copier,
        ReplicationTask task,
        ConcurrentDictionary<string, Task<ResolvedManifest?>> trees,
        TaskProgress progress,
        CancellationToken cancellationToken)
    {
        var tree = trees.TryGetValue(task.Id, out var sized) ? await sized.WaitAsync(cancellationToken).ConfigureAwait(false) : null;
        if (tree is null)
        {
            tree = await copier.ResolveTaskAsync(task, cancellationToken).ConfigureAwait(false);
            progress.AddBlobs(tree.AllBlobs);
            trees[task.Id] = Task.FromResult<ResolvedManifest?>(tree);
        }

        var result = await copier.CopyAsync(task, tree, progress, cancellationToken).ConfigureAwait(false);

        // Done with: a run of 20,000 tags would otherwise hold every manifest tree it read until its very end.
        trees.TryRemove(task.Id, out _);
        return result;
    }

    /// <summary>
    /// Runs tasks in order with <see cref="ReplicationOptions.MaxParallelArtifacts"/> workers; stores one result per task.
    /// <paramref name="taken"/> hears of each task as a worker takes it, before its first attempt.
    /// </summary>
    private async Task RunAllAsync(
        RunContext run,
        List<ReplicationTask> tasks,
        Dictionary<string, TaskProgress> taskProgress,
        ConcurrentDictionary<string, TaskResult> results,
        Func<ReplicationTask, CancellationToken, Task<TaskResult>> work,
        CancellationToken cancellationToken,
        Action<int>? taken = null)
    {
        var next = -1;
        async Task Worker()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= tasks.Count)
                {
                    return;
                }

                var task = tasks[index];
                taken?.Invoke(index);
                var progress = taskProgress[task.Id];
                var result = await ExecuteAsync(task, work, progress, run, cancellationToken).ConfigureAwait(false);
                progress.Release();
                results[task.Id] = result;
                run.Progress.Report(new TaskFinished(result));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(_options.MaxParallelArtifacts, Math.Max(1, tasks.Count))).Select(_ => Task.Run(Worker, CancellationToken.None))).ConfigureAwait(false);
    }

    /// <summary>One task with the engine's own retries of transient failures; never throws.</summary>
    private async Task<TaskResult> ExecuteAsync(
        ReplicationTask task,
        Func<ReplicationTask, CancellationToken, Task<TaskResult>> work,
        TaskProgress progress,
        RunContext run,
        CancellationToken cancellationToken)
    {
        var started = run.Progress.Time.GetTimestamp();
        var attempt = 0;
        string? waitingAfter = null;

        // What earlier attempts pushed before failing still has to reach the caller's record.
        var pushed = new List<ReplicatedArtifact>();
        string? pushedDigest = null;
        var retries = TaskRetries.Build(
            _options,
            run.Progress.Time,
            failure => !(failure is OperationCanceledException && cancellationToken.IsCancellationRequested) && Describe(failure).Transient,
            args =>
            {
                waitingAfter = Describe(args.Outcome.Exception!).Message;
                run.Progress.Report(new TaskRetrying(task.Id, attempt, waitingAfter, args.RetryDelay));
                return ValueTask.CompletedTask;
            });
        try
        {
            return Finish(await retries.ExecuteAsync(
                async token =>
                {
                    if (token.IsCancellationRequested)
                    {
                        return Stopped();
                    }

                    waitingAfter = null;
                    attempt++;
                    run.Progress.Report(new TaskStarted(task, attempt, progress.Total));
                    try
                    {
                        return await work(task, token).ConfigureAwait(false);
                    }
                    catch (ArtifactPartlyCopiedException ex)
                    {
                        pushed.AddRange(ex.Replicated);
                        pushedDigest = ex.Digest;
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException!);
                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Finish(waitingAfter is null ? Stopped() : Stopped($"stopped while waiting to retry after: {waitingAfter}"));
        }
        catch (Exception failure)
        {
            var (message, transient) = Describe(failure);
            return Finish(new TaskResult { Task = task, Outcome = TaskOutcome.Failed, Message = message, IsTransient = transient });
        }

        TaskResult Stopped(string message = "stopped before it finished") =>
            new() { Task = task, Outcome = TaskOutcome.Cancelled, Message = message };

        TaskResult Finish(TaskResult result) => result with
        {
            Digest = result.Digest ?? pushedDigest ?? (task.Operation == TaskOperation.Delete ? task.Digest : null),
            Replicated = [.. pushed.Concat(result.Replicated).DistinctBy(r => (r.Repository, r.Tag))],
            Attempts = attempt,
            BytesTotal = progress.Total,
            BytesDone = progress.Done,
            BytesTransferred = progress.Transferred,
            Duration = run.Progress.Time.GetElapsedTime(started),
        };
    }

    /// <summary>An administrator's reading of a failure, and whether a later retry may succeed.</summary>
    internal static (string Message, bool Transient) Describe(Exception exception) => exception switch
    {
        ReplicationException e => (e.Message, e.IsTransient),
        RegistryException e => (e.Code is null ? e.Message : $"{e.Message} ({e.Code})", e.IsTransient),
        HttpRequestException e => ($"Network error: {e.Message}", true),
        IOException e => ($"Network error: {e.Message}", true),
        TimeoutException or OperationCanceledException => ("The registry did not answer in time.", true),
        _ => ($"Unexpected error: {exception.Message}", false),
    };

    /// <summary>
    /// Creates each Harbor destination project once, just before the first copy into it. A refusal (403, 401) is
    /// remembered and fails every copy into the project without asking again; a transient failure fails only the copy
    /// that met it (retried like any task), and the next copy asks again.
    /// </summary>
    private sealed class ProjectGate(IProjectProvisioner provisioner, ReplicationScope scope)
    {
        private readonly ConcurrentDictionary<string, byte> _ready = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);
        private readonly SingleFlight<string> _creations = new();

        public async Task EnsureAsync(string project, CancellationToken cancellationToken)
        {
            if (scope.DestinationKind != RegistryKind.Harbor)
            {
                return;
            }

            while (!_ready.ContainsKey(project))
            {
                if (_refused.TryGetValue(project, out var refusal))
                {
                    throw new ReplicationException(refusal, false);
                }

                await _creations.TryLeadAsync(
                    project,
                    async () =>
                    {
                        if (_ready.ContainsKey(project) || _refused.ContainsKey(project))
                        {
                            return;
                        }

                        try
                        {
                            await provisioner.EnsureProjectAsync(scope.Destination, project, cancellationToken).ConfigureAwait(false);
                            _ready.TryAdd(project, 0);
                        }
                        catch (ReplicationException ex) when (!ex.IsTransient)
                        {
                            _refused.TryAdd(project, ex.Message);
                            throw;
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
