using System.Collections.Concurrent;
using System.Net;
using Replication.Engine.Progress;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>A source manifest with its index children read, and the blobs of the whole tree.</summary>
internal sealed class ResolvedManifest
{
    public ResolvedManifest(Manifest manifest, IReadOnlyList<ResolvedManifest> children, string? sourceDigest = null)
    {
        Manifest = manifest;
        SourceDigest = sourceDigest ?? manifest.Digest;
        Children = children;
        Blobs = manifest.Blobs;
        AllBlobs = Blobs.Concat(children.SelectMany(c => c.AllBlobs)).DistinctBy(b => b.Digest).ToList();
    }

    public Manifest Manifest { get; }

    public string Digest => Manifest.Digest;

    /// <summary>The source's digest: the same as <see cref="Digest"/> unless a platform subset rewrote the index.</summary>
    public string SourceDigest { get; }

    /// <summary>True when this is a platform subset of the source index (a new index, another digest).</summary>
    public bool IsRewritten => SourceDigest != Digest;

    public IReadOnlyList<ResolvedManifest> Children { get; }

    /// <summary>Config and layers of this manifest (empty for an index).</summary>
    public IReadOnlyList<Descriptor> Blobs { get; }

    /// <summary>Every blob of the tree, each digest once.</summary>
    public IReadOnlyList<Descriptor> AllBlobs { get; }
}

/// <summary>
/// Copies one tagged artifact: index children by digest before the index, an image's blobs before its manifest, the
/// manifest last with its exact bytes, then its referrers. Nothing is ever made visible before all it refers to is there.
/// </summary>
internal sealed class ArtifactCopier
{
    private const int MaxReferrerDepth = 2;

    private static readonly TimeSpan ManifestCommitTimeout = TimeSpan.FromSeconds(30);

    private readonly RunContext _run;

    // Manifests known to be in a destination repository this run, by "repository@digest".
    private readonly ConcurrentDictionary<string, byte> _manifests = new(StringComparer.Ordinal);
    private readonly SingleFlight<string> _manifestPushes = new();

    // Source tags this run copies as tasks of their own, by "repository:tag".
    private readonly HashSet<string> _taskTags;

    public ArtifactCopier(RunContext run, IEnumerable<ReplicationTask> copies)
    {
        _run = run;
        _taskTags = copies.Select(t => $"{t.SourceRepository}:{t.Tag}").ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The tree a task copies: its source tag, cut to the rule's platforms when it is a multi-platform image (children
    /// of other platforms left out, a new index of the same media type written). Referrer tags are copied as they are.
    /// </summary>
    public async Task<ResolvedManifest> ResolveTaskAsync(ReplicationTask task, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(task.SourceRepository, task.Tag, cancellationToken, task.DestinationRepository, task.PlannedSource?.Take()).ConfigureAwait(false);
        var platforms = _run.Scope.Platforms;
        if (task.Kind != Planning.ArtifactKind.Image || platforms.Count == 0 || !resolved.Manifest.IsIndex)
        {
            return resolved;
        }

        var subset = PlatformSubset.Apply(resolved.Manifest, platforms)
            ?? throw new ReplicationException(
                $"{task.SourceReference} has none of the rule's platforms ({string.Join(", ", platforms)}); it has {PlatformSubset.Describe(resolved.Manifest)}.", false);
        if (ReferenceEquals(subset, resolved.Manifest))
        {
            return resolved;
        }

        var kept = subset.Children.Select(c => c.Digest).ToHashSet(StringComparer.Ordinal);
        return new ResolvedManifest(subset, resolved.Children.Where(c => kept.Contains(c.Digest)).ToList(), resolved.Digest);
    }

    /// <summary>
    /// Reads a source manifest and, for an index, its children (by digest, verified by the client). With
    /// <paramref name="destinationRepository"/>, a source that counts manifest GETs has what the destination already
    /// holds read there instead. A manifest the plan already <paramref name="read"/> is not read again.
    /// </summary>
    public async Task<ResolvedManifest> ResolveAsync(
        string repository,
        string reference,
        CancellationToken cancellationToken,
        string? destinationRepository = null,
        Manifest? read = null)
    {
        var manifest = read ?? await ReadAsync(repository, reference, destinationRepository, cancellationToken).ConfigureAwait(false);

        if (!manifest.IsIndex)
        {
            return new ResolvedManifest(manifest, []);
        }

        var children = await Task.WhenAll(manifest.Children.Select(async child =>
        {
            try
            {
                return await ResolveAsync(repository, child.Digest, cancellationToken, destinationRepository).ConfigureAwait(false);
            }
            catch (ReplicationException ex) when (ex.InnerException is RegistryException { StatusCode: HttpStatusCode.NotFound })
            {
                throw new ReplicationException(
                    $"The index {repository}:{reference} lists {child.Digest} ({child.Platform?.ToString() ?? "no platform"}), which the source does not have.",
                    false,
                    ex);
            }
        })).ConfigureAwait(false);
        return new ResolvedManifest(manifest, children);
    }

    private async Task<Manifest> ReadAsync(string repository, string reference, string? destinationRepository, CancellationToken cancellationToken)
    {
        await _run.Checks.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadManifestAsync(repository, reference, destinationRepository, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ReplicationException($"{repository}:{reference} no longer exists at the source.", false, ex);
        }
        finally
        {
            _run.Checks.Release();
        }
    }

    /// <summary>
    /// One manifest of the source. Docker Hub counts every manifest GET as a pull and no HEAD (goharbor/harbor#20632), so
    /// there HEADs come first: the tag's digest at the source, then that digest at the destination, which serves it when
    /// it has it (a second tag of the same image, children shared with another index). Other registries get one GET.
    /// </summary>
    private async Task<Manifest> ReadManifestAsync(string repository, string reference, string? destinationRepository, CancellationToken cancellationToken)
    {
        if (destinationRepository is null || !RegistryProductFacts.CountsManifestGets(_run.Source.Endpoint.Product))
        {
            return await _run.Source.GetManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false);
        }

        var digest = Digests.IsSupported(reference)
            ? reference
            : (await _run.Source.HeadManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false))?.Digest
                ?? throw new RegistryException($"{repository}:{reference} was not found at the source.", HttpStatusCode.NotFound);
        return await _run.Destination.HeadManifestAsync(destinationRepository, digest, cancellationToken).ConfigureAwait(false) is not null
            ? await _run.Destination.GetManifestAsync(destinationRepository, digest, cancellationToken).ConfigureAwait(false)
            : await _run.Source.GetManifestAsync(repository, digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies the artifact of a task whose source was resolved into <paramref name="resolved"/>.</summary>
    public async Task<TaskResult> CopyAsync(ReplicationTask task, ResolvedManifest resolved, TaskProgress progress, CancellationToken cancellationToken)
    {
        var replicated = new List<ReplicatedArtifact>();
        var current = await CurrentDestinationAsync(task, resolved.Digest, cancellationToken).ConfigureAwait(false);
        TaskOutcome outcome;
        string? message = null;
        if (current == resolved.Digest)
        {
            // Planned as a copy yet already there: most likely an interrupted earlier attempt pushed it, so it is
            // recorded as replicated, or a crash between push and record would make it undeletable forever.
            outcome = TaskOutcome.UpToDate;
            MarkPresent(task.DestinationRepository, resolved);
            progress.MarkDone(resolved.AllBlobs);
            replicated.Add(Record(task, resolved));
        }
        else if (current is not null && !_run.Scope.Override)
        {
            return new TaskResult
            {
                Task = task,
                Outcome = TaskOutcome.Skipped,
                Digest = current,
                Message = $"{task.DestinationReference} exists with another digest ({current}) and override is off; left alone.",
            };
        }
        else
        {
            await PushTreeAsync(progress, task.SourceRepository, task.DestinationRepository, resolved, task.Tag, cancellationToken).ConfigureAwait(false);
            replicated.Add(Record(task, resolved));
            outcome = TaskOutcome.Copied;
        }

        // Signatures and attachments of the source index name its digest, not the rewritten one's: they do not follow.
        if (_run.Scope.IncludeReferrers && !resolved.IsRewritten)
        {
            try
            {
                await CopyReferrersAsync(progress, task.SourceRepository, task.DestinationRepository, resolved.Digest, task.ReferrerTags, 0, replicated, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The image is there already: whoever records what was replicated must hear of it.
                throw new ArtifactPartlyCopiedException(resolved.Digest, replicated, ex);
            }

            if (outcome == TaskOutcome.UpToDate && replicated.Count > 1)
            {
                message = $"up to date; {replicated.Count - 1} referrer tag(s) copied";
            }
        }

        return new TaskResult { Task = task, Outcome = outcome, Digest = resolved.Digest, Message = message, Replicated = replicated };
    }

    private static ReplicatedArtifact Record(ReplicationTask task, ResolvedManifest resolved) =>
        new(task.DestinationRepository, task.Tag, resolved.Digest) { SourceDigest = resolved.IsRewritten ? resolved.SourceDigest : null };

    /// <summary>The digest the destination tag holds now (null: no such tag), as far as deciding the copy needs it.</summary>
    private async Task<string?> CurrentDestinationAsync(ReplicationTask task, string sourceDigest, CancellationToken cancellationToken)
    {
        // The plan HEADed this tag moments ago. With override on, whatever is there now gets overwritten anyway (the
        // same bytes pushed again are harmless, and recorded all the same), so the plan's answer stands in for a
        // second HEAD. The tag is HEADed again when the task came without the plan's answer (rebuilt from storage),
        // on a retry or a second run of the same tasks (an earlier attempt may have pushed it: up to date, not pushed
        // twice; the answer is taken once), with override off (a tag pushed by someone else since planning must be
        // left alone), and when the plan's answer would make the copy "up to date" (that is recorded as replicated,
        // so it must be true now).
        if (task.PlannedDestination is { } planned && _run.Scope.Override && planned.Digest != sourceDigest && planned.TryTake())
        {
            return planned.Digest;
        }

        return (await _run.Destination.HeadManifestAsync(task.DestinationRepository, task.Tag, cancellationToken).ConfigureAwait(false))?.Digest;
    }

    /// <summary>Pushes a manifest tree under <paramref name="reference"/>: children or blobs first, the manifest itself last.</summary>
    private async Task PushTreeAsync(TaskProgress progress, string sourceRepository, string destinationRepository, ResolvedManifest resolved, string reference, CancellationToken cancellationToken)
    {
        if (resolved.Children.Count > 0)
        {
            await AllOrNothingAsync(resolved.Children.Select(child => (Func<CancellationToken, Task>)(token => PushChildAsync(progress, sourceRepository, destinationRepository, child, token))), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await AllOrNothingAsync(resolved.Blobs.Select(blob => (Func<CancellationToken, Task>)(token => _run.Blobs.EnsureAsync(progress, sourceRepository, destinationRepository, blob, token))), cancellationToken).ConfigureAwait(false);
        }

        // Stopped while blobs moved: the manifest stays unpushed, so nothing incomplete becomes visible.
        cancellationToken.ThrowIfCancellationRequested();

        // Once sent, the push is seen through even if a stop arrives: a PUT cut off mid-flight may still have been
        // stored, and the result would then fail to record a tag that exists. It is one small request.
        using var commit = new CancellationTokenSource(ManifestCommitTimeout);
        var pushed = await _run.Destination.PutManifestAsync(destinationRepository, reference, resolved.Manifest, commit.Token).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(pushed) && pushed != resolved.Digest)
        {
            throw new ReplicationException($"The destination stored {destinationRepository}:{reference} as {pushed}, not {resolved.Digest}; it may rewrite manifests.", false);
        }

        MarkPresent(destinationRepository, resolved);
        progress.Report(new ManifestPushed(progress.TaskId, destinationRepository, reference, resolved.Digest, resolved.Manifest.MediaType));
    }

    /// <summary>Pushes a manifest by digest unless the destination repository has it; one push per digest per run.</summary>
    private async Task PushChildAsync(TaskProgress progress, string sourceRepository, string destinationRepository, ResolvedManifest child, CancellationToken cancellationToken)
    {
        var key = $"{destinationRepository}@{child.Digest}";
        while (!_manifests.ContainsKey(key))
        {
            var led = await _manifestPushes.TryLeadAsync(
                key,
                async () =>
                {
                    if (_manifests.ContainsKey(key))
                    {
                        return;
                    }

                    // Neither the run nor the plan knows this child here (the plan HEADs tags, and an untagged child
                    // may be there through another tag's index): one HEAD can spare pushing its whole tree again.
                    if (await _run.Destination.HeadManifestAsync(destinationRepository, child.Digest, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        MarkPresent(destinationRepository, child);
                        return;
                    }

                    await PushTreeAsync(progress, sourceRepository, destinationRepository, child, child.Digest, cancellationToken).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            if (led)
            {
                break;
            }
        }

        // Whoever pushed it, its bytes are at the destination now.
        progress.MarkDone(child.AllBlobs);
    }

    /// <summary>
    /// Copies the referrers of <paramref name="subjectDigest"/>: those the referrers API (or its tag fallback) lists,
    /// by digest, and the referrer tags (<c>sha256-…</c>, <c>.sig</c>, <c>.att</c>, <c>.sbom</c>) with their tags.
    /// Adds the tags pushed to <paramref name="pushed"/> as it goes.
    /// </summary>
    private async Task CopyReferrersAsync(
        TaskProgress progress,
        string sourceRepository,
        string destinationRepository,
        string subjectDigest,
        IReadOnlyList<string>? knownTags,
        int depth,
        List<ReplicatedArtifact> pushed,
        CancellationToken cancellationToken)
    {
        // Referrer tags travel with a task's own artifact; deeper down, referrers come by digest only.
        var tags = depth > 0 ? [] : knownTags ?? await _run.ReferrerTags.FindAsync(sourceRepository, subjectDigest, cancellationToken).ConfigureAwait(false);
        var resolvedTags = new Dictionary<string, ResolvedManifest>(StringComparer.Ordinal);
        var referrers = await _run.ReferrersApi.ListAsync(sourceRepository, subjectDigest, cancellationToken).ConfigureAwait(false)
            ?? await ReferrersFromTagSchemaAsync(sourceRepository, subjectDigest, tags, depth, resolvedTags, cancellationToken).ConfigureAwait(false);
        // A fallback index read above came with its children read too.
        var readWithIndex = resolvedTags.Values.SelectMany(i => i.Children).DistinctBy(c => c.Digest).ToDictionary(c => c.Digest, StringComparer.Ordinal);
        foreach (var referrer in referrers.DistinctBy(r => r.Digest))
        {
            var resolved = readWithIndex.GetValueOrDefault(referrer.Digest) ?? await ResolveAsync(sourceRepository, referrer.Digest, cancellationToken).ConfigureAwait(false);
            progress.AddBlobs(resolved.AllBlobs);
            var before = _manifests.ContainsKey($"{destinationRepository}@{resolved.Digest}");
            await PushChildAsync(progress, sourceRepository, destinationRepository, resolved, cancellationToken).ConfigureAwait(false);
            if (!before)
            {
                progress.Report(new TaskLog(progress.TaskId, $"referrer {referrer.Digest} ({referrer.ArtifactType ?? referrer.MediaType}) of {subjectDigest} is at the destination"));
            }

            if (depth + 1 < MaxReferrerDepth)
            {
                // Referrers of referrers (a signed SBOM): by digest, no referrer tags at depth.
                await CopyReferrersAsync(progress, sourceRepository, destinationRepository, referrer.Digest, [], depth + 1, pushed, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var tag in tags)
        {
            var resolved = resolvedTags.GetValueOrDefault(tag) ?? await ResolveAsync(sourceRepository, tag, cancellationToken).ConfigureAwait(false);
            var current = await _run.Destination.HeadManifestAsync(destinationRepository, tag, cancellationToken).ConfigureAwait(false);
            if (current?.Digest == resolved.Digest)
            {
                continue;
            }

            if (current is not null && !_run.Scope.Override)
            {
                progress.Report(new TaskLog(progress.TaskId, $"referrer tag {destinationRepository}:{tag} exists with another digest and override is off; left alone"));
                continue;
            }

            progress.AddBlobs(resolved.AllBlobs);
            await PushTreeAsync(progress, sourceRepository, destinationRepository, resolved, tag, cancellationToken).ConfigureAwait(false);
            pushed.Add(new ReplicatedArtifact(destinationRepository, tag, resolved.Digest));
            progress.Report(new TaskLog(progress.TaskId, $"referrer tag {destinationRepository}:{tag} copied"));
        }
    }

    /// <summary>
    /// The referrers the <c>sha256-&lt;hex&gt;</c> fallback index lists, for a source without the referrers API. For a task's
    /// own artifact the tag listing already tells whether that index exists (it is one of the referrer tags, or a task
    /// of this run), so a missing index costs no request; deeper down it is read to find out.
    /// </summary>
    private async Task<IReadOnlyList<Descriptor>> ReferrersFromTagSchemaAsync(
        string sourceRepository,
        string subjectDigest,
        IReadOnlyList<string> tags,
        int depth,
        Dictionary<string, ResolvedManifest> resolvedTags,
        CancellationToken cancellationToken)
    {
        if (depth > 0)
        {
            return await _run.Source.GetReferrersFromTagAsync(sourceRepository, subjectDigest, cancellationToken).ConfigureAwait(false);
        }

        var indexTag = AttachmentTags.Stem(subjectDigest);
        if (!tags.Contains(indexTag, StringComparer.Ordinal) && !_taskTags.Contains($"{sourceRepository}:{indexTag}"))
        {
            return [];
        }

        ResolvedManifest index;
        try
        {
            index = await ResolveAsync(sourceRepository, indexTag, cancellationToken).ConfigureAwait(false);
        }
        catch (ReplicationException ex) when (ex.InnerException is RegistryException { StatusCode: HttpStatusCode.NotFound })
        {
            // Deleted since it was listed.
            return [];
        }

        resolvedTags[indexTag] = index;
        return index.Manifest.IsIndex ? index.Manifest.Children : [];
    }

    private void MarkPresent(string destinationRepository, ResolvedManifest resolved)
    {
        _manifests.TryAdd($"{destinationRepository}@{resolved.Digest}", 0);
        foreach (var blob in resolved.Blobs)
        {
            _run.Blobs.Known(destinationRepository, blob.Digest);
        }

        foreach (var child in resolved.Children)
        {
            MarkPresent(destinationRepository, child);
        }
    }

    /// <summary>Runs all, and on the first failure cancels the rest and rethrows that failure (not the cancellations it caused).</summary>
    private static async Task AllOrNothingAsync(IEnumerable<Func<CancellationToken, Task>> work, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? first = null;
        var tasks = work.Select(async w =>
        {
            try
            {
                await w(linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && linked.IsCancellationRequested))
            {
                Interlocked.CompareExchange(ref first, ex, null);
                await linked.CancelAsync().ConfigureAwait(false);
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (first is not null)
        {
            // Siblings stopped because of the first failure, reported below.
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>The artifact's own tag was pushed, then its referrers failed or were stopped: carries what did get pushed.</summary>
internal sealed class ArtifactPartlyCopiedException : Exception
{
    public ArtifactPartlyCopiedException(string digest, IReadOnlyList<ReplicatedArtifact> replicated, Exception innerException)
        : base(innerException.Message, innerException)
    {
        Digest = digest;
        Replicated = [.. replicated];
    }

    public string Digest { get; }

    public IReadOnlyList<ReplicatedArtifact> Replicated { get; }
}
