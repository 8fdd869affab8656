using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Replication.Engine.Filters;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Planning;

/// <summary>
/// Decides what a rule has to do: lists the source project (catalog and tags, paged, in parallel), applies the filter,
/// HEADs each selected tag at both ends and sorts it into copy, up to date, delete or skipped. Changes nothing: a dry
/// run is exactly <see cref="PlanAsync"/>.
/// </summary>
public sealed class ReplicationPlanner
{
    private readonly IRegistryClientFactory _clients;
    private readonly ReplicationOptions _options;
    private readonly Polly.ResiliencePipeline _planRetries;

    /// <summary>Creates a planner over the given registry clients.</summary>
    public ReplicationPlanner(IRegistryClientFactory clients, ReplicationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _clients = clients;
        _options = options ?? new ReplicationOptions();
        _options.EnsureValid();
        _planRetries = TaskRetries.Build(_options, TimeProvider.System, e => e is ReplicationException { IsTransient: true });
    }

    /// <summary>
    /// What the filter selects in a source project, from listings only (no manifest requests): counts and the first
    /// <paramref name="sampleSize"/> repositories with their first tags. For the rule dialog's live preview; pass a
    /// token with a deadline, a large registry takes a while to list.
    /// </summary>
    /// <exception cref="ReplicationException">The registry refused the catalog (name repositories explicitly) or listing failed.</exception>
    public Task<FilterPreview> PreviewAsync(
        RegistryEndpoint source,
        string sourceProject,
        ImageFilter filter,
        int sampleSize = 5,
        CancellationToken cancellationToken = default) =>
        PreviewAsync(source, sourceProject, filter, destinationProject: null, naming: null, sampleSize, cancellationToken);

    /// <summary>
    /// The preview with destination names: each repository's <see cref="PreviewRepository.DestinationRepository"/> in
    /// <paramref name="destinationProject"/> (empty = the source project) under <paramref name="naming"/>, and the
    /// <see cref="FilterPreview.Collisions"/> that naming would cause.
    /// </summary>
    public async Task<FilterPreview> PreviewAsync(
        RegistryEndpoint source,
        string sourceProject,
        ImageFilter filter,
        string? destinationProject,
        DestinationNaming? naming,
        int sampleSize = 5,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(filter);
        filter.EnsureValid();
        var client = _clients.Create(source);
        var project = sourceProject ?? "";
        var mapping = new RepositoryMapping(project, string.IsNullOrEmpty(destinationProject) ? project : destinationProject, naming);
        var selected = new ConcurrentBag<PreviewRepository>();

        await Guard(
            "list the source registry",
            () => Parallel.ForEachAsync(
                SelectRepositoriesAsync(client, mapping, filter, cancellationToken),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelListings, CancellationToken = cancellationToken },
                async (repository, token) =>
                {
                    var listed = await client.ListTagsAsync(repository, token).ToListAsync(token).ConfigureAwait(false);
                    var tags = await SelectTagsAsync(client, repository, filter, listed, token).ConfigureAwait(false);
                    if (tags.Count > 0)
                    {
                        selected.Add(new PreviewRepository(repository, tags.Count, tags.Take(sampleSize).ToList(), mapping.ToDestination(repository)));
                    }
                })).ConfigureAwait(false);

        var ordered = selected.OrderBy(r => r.Repository, StringComparer.Ordinal).ToList();
        return new FilterPreview(ordered.Count, ordered.Sum(r => r.TagCount), ordered.Take(sampleSize).ToList())
        {
            Collisions = NamingCollision.Find(ordered.Select(r => (r.Repository, r.DestinationRepository))),
        };
    }

    /// <summary>
    /// The full plan of a rule. Any listing failure fails the whole plan, so a partial listing never looks like
    /// deleted tags.
    /// </summary>
    /// <exception cref="ArgumentException">The scope is not valid (see <see cref="ReplicationScope.Validate"/>).</exception>
    /// <exception cref="ReplicationException">A registry refused or failed a request; <see cref="ReplicationException.IsTransient"/> says whether to try later.</exception>
    public async Task<ReplicationPlan> PlanAsync(ReplicationScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.EnsureValid();
        return await WithRetriesAsync(
            async () =>
            {
                using var run = new PlanRun(this, scope, cancellationToken);
                await Guard(
                    "plan the replication",
                    async () =>
                    {
                        var repositories = SelectRepositoriesAsync(run.Source, run.Mapping, scope.Filter, cancellationToken);
                        if (!scope.Naming.IsOneToOne)
                        {
                            // Flattening can put two sources on one name: refuse before copying anything, naming both.
                            var listed = await repositories.ToListAsync(cancellationToken).ConfigureAwait(false);
                            var collisions = NamingCollision.Find(listed.Select(r => (r, run.Mapping.ToDestination(r))));
                            if (collisions.Count > 0)
                            {
                                throw new ReplicationException(string.Join(" ", collisions.Select(c => c.Message)), false);
                            }

                            repositories = listed.ToAsyncEnumerable();
                        }

                        await Parallel.ForEachAsync(
                            repositories,
                            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelListings, CancellationToken = cancellationToken },
                            async (repository, token) =>
                            {
                                var tags = await run.Source.ListTagsAsync(repository, token).ToListAsync(token).ConfigureAwait(false);
                                await run.PlanRepositoryAsync(repository, tags).ConfigureAwait(false);
                            }).ConfigureAwait(false);

                        if (scope.ReplicateDeletions)
                        {
                            await run.PlanDeletionsAsync(scope.Replicated, sourceRepository: null).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);

                return run.Build();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a source event concerns the rule and what at the destination it would touch; synchronous, no registry,
    /// no storage. A change outside the source project, or a push by digest only (an index child or referrer, which its
    /// tag or subject brings along), is not concerned. A push is a copy when the filter selects its repository (explicit
    /// names included) and its tag, or when its tag is a signature or attachment (<see cref="AttachmentTags"/>) and the
    /// rule includes referrers. A deletion, when the rule replicates deletions, names a destination tag (or digest) that
    /// counts only if the rule's record holds it: <see cref="ChangeConcern.Recorded"/> answers from
    /// <see cref="ReplicationScope.Replicated"/>, and a caller that keeps the record elsewhere looks it up by
    /// <see cref="ChangeConcern.DestinationRepository"/> and tag or digest. A repository named like the project itself is
    /// in it, with the path "" (as <see cref="PlanAsync"/> lists it), and maps to the destination project.
    /// <see cref="PlanChangeAsync"/> plans exactly what this answers. Does not validate the scope.
    /// </summary>
    public static ChangeConcern Concerns(ReplicationScope scope, SourceChange change)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(change);
        var mapping = scope.Mapping;
        if (mapping.ToRelative(change.Repository) is not { } relative)
        {
            return ChangeConcern.None;
        }

        if (change.Kind == SourceChangeKind.Deleted)
        {
            if (!scope.ReplicateDeletions || (change.Tag is null && change.Digest is null))
            {
                return ChangeConcern.None;
            }

            // The filter is not asked: what the rule recorded stays its own to delete even if the filter changed since.
            var deletion = new ChangeConcern
            {
                Effect = ChangeEffect.Delete,
                DestinationRepository = mapping.ToDestination(change.Repository),
                Tag = change.Tag,
                Digest = change.Tag is null ? change.Digest : null,
            };
            return deletion with { Recorded = scope.Replicated.Where(deletion.Names).ToList() };
        }

        if (change.Tag is null || !scope.Filter.IncludesRepository(relative))
        {
            return ChangeConcern.None;
        }

        if (scope.Filter.IncludesTag(change.Tag))
        {
            return new ChangeConcern { Effect = ChangeEffect.Copy, DestinationRepository = mapping.ToDestination(change.Repository), Tag = change.Tag, Kind = ArtifactKind.Image };
        }

        if (scope.IncludeReferrers && AttachmentTags.TryParse(change.Tag, out var subject, out _))
        {
            return new ChangeConcern
            {
                Effect = ChangeEffect.Copy,
                DestinationRepository = mapping.ToDestination(change.Repository),
                Tag = change.Tag,
                Kind = ArtifactKind.Referrer,
                Subject = subject,
            };
        }

        return ChangeConcern.None;
    }

    /// <summary>
    /// The plan for one source event (a webhook), of exactly what <see cref="Concerns"/> answers: a pushed tag the filter
    /// selects becomes one copy (or up to date); a pushed signature or attachment is copied when its subject is at the
    /// destination; a deletion becomes deletions of the recorded tags it names (<see cref="ReplicationScope.Replicated"/>).
    /// Anything else gives an empty plan.
    /// </summary>
    /// <exception cref="ArgumentException">The scope is not valid.</exception>
    /// <exception cref="ReplicationException">A registry refused or failed a request.</exception>
    public async Task<ReplicationPlan> PlanChangeAsync(ReplicationScope scope, SourceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(change);
        scope.EnsureValid();
        var concern = Concerns(scope, change);
        if (!concern.IsConcerned)
        {
            return ReplicationPlan.Empty;
        }

        return await WithRetriesAsync(() => PlanChangeOnceAsync(scope, change.Repository, concern, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReplicationPlan> PlanChangeOnceAsync(ReplicationScope scope, string sourceRepository, ChangeConcern concern, CancellationToken cancellationToken)
    {
        using var run = new PlanRun(this, scope, cancellationToken);
        await Guard(
            "plan the replication of a source event",
            async () =>
            {
                if (concern.Effect == ChangeEffect.Delete)
                {
                    await run.PlanDeletionsAsync(concern.Recorded, sourceRepository).ConfigureAwait(false);
                }
                else if (concern.Kind == ArtifactKind.Image)
                {
                    // "Newest N" depends on the whole repository: a pushed tag counts only while it is among them.
                    if (scope.Filter.Newest is not null)
                    {
                        var tags = await run.Source.ListTagsAsync(sourceRepository, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
                        if (!(await SelectTagsAsync(run.Source, sourceRepository, scope.Filter, tags, cancellationToken).ConfigureAwait(false)).Contains(concern.Tag!))
                        {
                            return;
                        }
                    }

                    await run.CompareAsync(sourceRepository, concern.Tag!, ArtifactKind.Image, referrerTags: null, record: true).ConfigureAwait(false);
                }
                else if (await run.Destination.HeadManifestAsync(concern.DestinationRepository, concern.Subject!, cancellationToken).ConfigureAwait(false) is not null)
                {
                    // A signature of an image this rule never copied has nothing to follow.
                    await run.CompareAsync(sourceRepository, concern.Tag!, ArtifactKind.Referrer, referrerTags: null, record: true).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

        return run.Build();
    }

    /// <summary>
    /// Planning is read-only, so a transient failure that outlasted the client's own retries (a long 503 burst) is
    /// simply planned again, by the same task-layer pipeline as a copy (<see cref="TaskRetries"/>).
    /// </summary>
    private async Task<ReplicationPlan> WithRetriesAsync(Func<Task<ReplicationPlan>> plan, CancellationToken cancellationToken) =>
        await _planRetries.ExecuteAsync(async _ => await plan().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Repositories of the project the filter selects: the explicit names, or the catalog.</summary>
    private static async IAsyncEnumerable<string> SelectRepositoriesAsync(
        IRegistryClient client,
        RepositoryMapping mapping,
        ImageFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (filter.ExplicitRepositories.Count > 0)
        {
            foreach (var relative in filter.ExplicitRepositories.Distinct(StringComparer.Ordinal))
            {
                if (filter.IncludesRepository(relative))
                {
                    yield return mapping.ToSource(relative);
                }
            }

            yield break;
        }

        await foreach (var repository in client.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (mapping.ToRelative(repository) is { } relative && filter.IncludesRepository(relative))
            {
                yield return repository;
            }
        }
    }

    /// <summary>
    /// The tags of one repository listing that the filter selects (patterns, version range, newest N); reads image
    /// creation times only when the newest must be found among tags that are not all versions.
    /// </summary>
    private static Task<List<string>> SelectTagsAsync(IRegistryClient client, string repository, ImageFilter filter, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        filter.SelectTagsAsync(tags, tag => ImageCreationTime.ReadAsync(client, repository, tag, cancellationToken));

    /// <summary>Turns registry failures into one exception type with a message an administrator can act on.</summary>
    private static async Task Guard(string what, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (CatalogUnavailableException ex)
        {
            throw new ReplicationException(
                "The source registry does not allow listing its repositories (catalog access refused). " +
                "Name the repositories explicitly in the rule's filter.",
                false,
                ex);
        }
        catch (RegistryException ex)
        {
            throw new ReplicationException($"Could not {what}: {ex.Message}", ex.IsTransient, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ReplicationException($"Could not {what}: {ex.Message}", true, ex);
        }
        catch (IOException ex)
        {
            throw new ReplicationException($"Could not {what}: {ex.Message}", true, ex);
        }
    }

    /// <summary>State of one planning pass.</summary>
    private sealed class PlanRun : IDisposable
    {
        private readonly ReplicationScope _scope;
        private readonly SemaphoreSlim _checks;
        private readonly int _maxChecks;
        private readonly double _recordedTagSample;
        private readonly CancellationToken _cancellationToken;
        private readonly ConcurrentBag<PlannedArtifact> _copy = [];
        private readonly ConcurrentBag<PlannedArtifact> _upToDate = [];
        private readonly ConcurrentBag<PlannedArtifact> _delete = [];
        private readonly ConcurrentBag<PlannedArtifact> _skipped = [];

        public PlanRun(ReplicationPlanner planner, ReplicationScope scope, CancellationToken cancellationToken)
        {
            _scope = scope;
            _cancellationToken = cancellationToken;
            _maxChecks = planner._options.MaxParallelChecks;
            _recordedTagSample = planner._options.RecordedTagSample;
            _checks = new SemaphoreSlim(_maxChecks);
            Source = planner._clients.Create(scope.Source);
            Destination = planner._clients.Create(scope.Destination);
            Mapping = scope.Mapping;
            Recorded = scope.Replicated
                .GroupBy(r => r.Repository, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Tag, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.First().Digest, StringComparer.Ordinal), StringComparer.Ordinal);
        }

        public IRegistryClient Source { get; }

        public IRegistryClient Destination { get; }

        public RepositoryMapping Mapping { get; }

        /// <summary>
        /// Destination <c>repository:tag</c> names the rule still selects (and the signatures and attachments that
        /// follow them): a recorded tag outside this set is gone at the source or no longer selected.
        /// </summary>
        private ConcurrentDictionary<string, bool> Selected { get; } = new(StringComparer.Ordinal);

        /// <summary>The rule's record: per destination repository, the digest it pushed under each tag.</summary>
        private Dictionary<string, Dictionary<string, string>> Recorded { get; }

        public async Task PlanRepositoryAsync(string repository, List<string> tags)
        {
            var selected = await SelectTagsAsync(Source, repository, _scope.Filter, tags, _cancellationToken).ConfigureAwait(false);
            var selectedSet = selected.ToHashSet(StringComparer.Ordinal);
            var destinationRepository = Mapping.ToDestination(repository);
            foreach (var tag in tags)
            {
                if (selectedSet.Contains(tag) || (_scope.IncludeReferrers && AttachmentTags.TryParse(tag, out _, out _)))
                {
                    Selected[$"{destinationRepository}:{tag}"] = true;
                }
            }

            var referrerTags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (_scope.IncludeReferrers)
            {
                foreach (var tag in tags)
                {
                    if (!selectedSet.Contains(tag) && AttachmentTags.TryParse(tag, out var subject, out _))
                    {
                        (referrerTags.TryGetValue(subject, out var list) ? list : referrerTags[subject] = []).Add(tag);
                    }
                }
            }

            var listing = await ListAsync(repository, destinationRepository, selected.Count, tags.Count).ConfigureAwait(false);
            var compared = await CompareTagsAsync(repository, selected, ArtifactKind.Image, referrerTags, listing).ConfigureAwait(false);

            // Referrers of a copied image travel with its first copy; those of an image already up to date are planned on their own.
            var copiedDigests = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (verdict, artifact) in compared)
            {
                if (verdict == Verdict.Vanished)
                {
                    continue;
                }

                var first = verdict == Verdict.Copy && copiedDigests.Add(artifact!.Digest);
                Record(verdict, first || verdict != Verdict.Copy ? artifact! : artifact! with { ReferrerTags = [] });
            }

            var upToDateSubjects = compared.Where(c => c.Verdict == Verdict.UpToDate).Select(c => c.Artifact!.Digest)
                .Where(d => !copiedDigests.Contains(d)).ToHashSet(StringComparer.Ordinal);
            var followers = upToDateSubjects.Where(referrerTags.ContainsKey).SelectMany(d => referrerTags[d]).ToList();
            foreach (var (verdict, artifact) in await CompareTagsAsync(repository, followers, ArtifactKind.Referrer, referrerTags, listing).ConfigureAwait(false))
            {
                Record(verdict, artifact!);
            }
        }

        /// <summary>
        /// Compares the tags of one repository, in their order. A tag the destination listing shows and the rule's
        /// record says it pushed is taken to hold the recorded digest, without a destination HEAD: a warm run then makes
        /// one source HEAD per tag instead of two. The record is checked each run on a random sample of those tags
        /// (<see cref="ReplicationOptions.RecordedTagSample"/>, at least one per repository), HEADed first; when one of
        /// them holds another digest (pushed over behind the rule's back), every tag of the repository is HEADed. A
        /// digest the destination's own artifact listing gave needs neither.
        /// </summary>
        private async Task<(Verdict Verdict, PlannedArtifact? Artifact)[]> CompareTagsAsync(
            string repository,
            List<string> tags,
            ArtifactKind kind,
            Dictionary<string, List<string>> referrerTags,
            Listing listing)
        {
            var present = listing.DestinationTags;
            var recorded = present is null ? null : Recorded.GetValueOrDefault(Mapping.ToDestination(repository));
            var vouched = recorded is null ? [] : tags.Where(t => present!.Contains(t) && recorded.ContainsKey(t) && listing.DestinationManifests?.ContainsKey(t) != true).ToHashSet(StringComparer.Ordinal);
            var sampleSize = Math.Max(1, (int)Math.Ceiling(vouched.Count * _recordedTagSample));
            var trusted = vouched.OrderBy(_ => Random.Shared.Next()).Skip(sampleSize).ToHashSet(StringComparer.Ordinal);
            var results = new (Verdict Verdict, PlannedArtifact? Artifact)[tags.Count];
            var first = Enumerable.Range(0, tags.Count).Where(i => !trusted.Contains(tags[i])).ToList();
            await Task.WhenAll(first.Select(async i => results[i] = await CompareAsync(repository, tags[i], kind, referrerTags, record: false, listing).ConfigureAwait(false))).ConfigureAwait(false);
            if (trusted.Count == 0)
            {
                return results;
            }

            var recordHolds = first.All(i => results[i].Artifact is not { } checkedTag || !vouched.Contains(checkedTag.Tag) || checkedTag.DestinationDigest == recorded![checkedTag.Tag]);
            var rest = Enumerable.Range(0, tags.Count).Where(i => trusted.Contains(tags[i]));
            await Task.WhenAll(rest.Select(async i => results[i] = await CompareAsync(
                repository, tags[i], kind, referrerTags, record: false, listing, trustRecord: recordHolds).ConfigureAwait(false))).ConfigureAwait(false);
            return results;
        }

        /// <summary>
        /// What one repository's listings tell before any HEAD: the destination's tags, from one listing (a missing
        /// repository lists none), so a tag it lacks needs no HEAD (on a first run, a 404 HEAD per tag saved for one GET
        /// per repository) and a tag it shows that the rule's record holds is checked against the record
        /// (<see cref="CompareTagsAsync"/>); and each end's digests from the product's bulk listing where it has one
        /// (<see cref="IRegistryClient.ListTagManifestsAsync"/>, Harbor). Nothing (HEAD every tag) for a single selected
        /// tag the rule's record has in that repository, where a listing saves nothing (a repository the rule never
        /// pushed to is listed even for one tag: it is most likely new, and a tag it lacks is read once and its small
        /// blobs sent unasked); and where the source lists over a hundred times more tags than are selected, since a
        /// listing pages through them all. A refused destination listing leaves its tags to HEADs.
        /// </summary>
        private async Task<Listing> ListAsync(string repository, string destinationRepository, int selectedTags, int sourceTags)
        {
            var worthIt = selectedTags >= 2 || (selectedTags == 1 && !Recorded.ContainsKey(destinationRepository));
            if (!worthIt || sourceTags > selectedTags * 100)
            {
                return Listing.None;
            }

            var sourceManifests = Source.ListTagManifestsAsync(repository, _cancellationToken);
            var destinationManifests = Destination.ListTagManifestsAsync(destinationRepository, _cancellationToken);
            IReadOnlySet<string>? destinationTags;
            try
            {
                destinationTags = (await Destination.ListTagsAsync(destinationRepository, _cancellationToken).ToListAsync(_cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            }
            catch (RegistryException)
            {
                destinationTags = null;
            }

            return new Listing(destinationTags, await sourceManifests.ConfigureAwait(false), await destinationManifests.ConfigureAwait(false));
        }

        /// <summary>
        /// HEADs a tag at both ends and decides what to do with it. What <paramref name="listing"/> answers needs no HEAD:
        /// a tag the destination listing lacks is absent there, and a digest from a bulk listing is taken as it is; with
        /// <paramref name="trustRecord"/>, so is the rule's record of the destination tag.
        /// </summary>
        public async Task<(Verdict Verdict, PlannedArtifact? Artifact)> CompareAsync(
            string repository,
            string tag,
            ArtifactKind kind,
            Dictionary<string, List<string>>? referrerTags,
            bool record,
            Listing? listing = null,
            bool trustRecord = false)
        {
            listing ??= Listing.None;
            var destinationRepository = Mapping.ToDestination(repository);
            var recordedDigest = Recorded.GetValueOrDefault(destinationRepository)?.GetValueOrDefault(tag);
            ManifestInfo? source;
            Manifest? sourceManifest;
            string? destinationDigest;
            await _checks.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                var sourceHead = LookAtSourceAsync(repository, tag, listing);
                var destinationHead = listing.DestinationTags?.Contains(tag) == false ? Task.FromResult<string?>(null)
                    : listing.DestinationManifests?.GetValueOrDefault(tag) is { } there ? Task.FromResult<string?>(there.Digest)
                    : trustRecord && recordedDigest is not null ? Task.FromResult<string?>(recordedDigest)
                    : HeadDigestAsync(Destination, destinationRepository, tag);
                (source, sourceManifest) = await sourceHead.ConfigureAwait(false);
                destinationDigest = await destinationHead.ConfigureAwait(false);
            }
            finally
            {
                _checks.Release();
            }

            if (source is null)
            {
                // Deleted between listing and HEAD: the next run sees it gone.
                return (Verdict.Vanished, null);
            }

            // Listed repositories know their referrer tags (maybe none); an event plan leaves it to the runner to probe.
            IReadOnlyList<string>? ownReferrers = referrerTags is null ? null : referrerTags.TryGetValue(source.Digest, out var own) ? own : [];
            var artifact = new PlannedArtifact(repository, tag, source.Digest, destinationRepository)
            {
                DestinationDigest = destinationDigest,
                Kind = kind,
                ReferrerTags = ownReferrers,
            };

            // A platform subset of an index lands as a new index: compare the destination with what it would get.
            var expected = source.Digest;
            string? missingPlatforms = null;
            if (kind == ArtifactKind.Image && _scope.Platforms.Count > 0 && MediaTypes.IsIndex(source.MediaType))
            {
                var index = sourceManifest ?? await Source.GetManifestAsync(repository, source.Digest, _cancellationToken).ConfigureAwait(false);
                var subset = Copying.PlatformSubset.Apply(index, _scope.Platforms);
                if (subset is null)
                {
                    missingPlatforms = $"has none of the rule's platforms ({string.Join(", ", _scope.Platforms)}); it has {Copying.PlatformSubset.Describe(index)}";
                }
                else if (subset.Digest != source.Digest)
                {
                    expected = subset.Digest;
                    artifact = artifact with { RewrittenDigest = expected };
                }
            }

            var rewritten = artifact.RewrittenDigest is null ? "" : $"; rewritten: only {string.Join(", ", _scope.Platforms)}, so the destination digest is {artifact.RewrittenDigest}";
            (Verdict, PlannedArtifact) result;
            if (missingPlatforms is not null)
            {
                result = (Verdict.Skipped, artifact with { Reason = missingPlatforms });
            }
            else if (MediaTypes.IsSchema1(source.MediaType))
            {
                result = (Verdict.Skipped, artifact with { Reason = "Docker schema 1 manifest: not supported (deprecated format); push the image again with a current client." });
            }
            else if (destinationDigest == expected)
            {
                result = (Verdict.UpToDate, artifact with { Reason = "up to date" + rewritten });
            }
            else if (destinationDigest is not null && !_scope.Override)
            {
                result = (Verdict.Skipped, artifact with { Reason = $"exists at the destination with another digest ({destinationDigest}); override is off" });
            }
            else
            {
                var why = destinationDigest is null ? "new"
                    : recordedDigest is not null && recordedDigest != destinationDigest ? $"pushed over at the destination ({destinationDigest}) since this rule replicated {recordedDigest}"
                    : "changed at the source";
                result = (Verdict.Copy, artifact with { Reason = why + rewritten, SourceManifest = sourceManifest, NewDestinationRepository = listing.DestinationTags?.Count == 0 });
            }

            if (record)
            {
                Record(result.Item1, result.Item2);
            }

            return result;
        }

        /// <summary>
        /// The source tag's digest and media type: from the product's bulk listing when it gave them; by reading the
        /// manifest when the destination listing lacks the tag, since it is then about to be copied and the copy would
        /// read it anyway (a HEAD costs a registry as much as a GET: it loads the manifest to answer); else by a HEAD.
        /// A source that counts manifest GETs as pulls (Docker Hub) is only HEADed: a dry run must not spend its pulls.
        /// </summary>
        private async Task<(ManifestInfo? Info, Manifest? Manifest)> LookAtSourceAsync(string repository, string tag, Listing listing)
        {
            if (listing.SourceManifests?.GetValueOrDefault(tag) is { } listed)
            {
                return (listed, null);
            }

            if (listing.DestinationTags?.Contains(tag) == false && !RegistryProductFacts.CountsManifestGets(Source.Endpoint.Product))
            {
                try
                {
                    var manifest = await Source.GetManifestAsync(repository, tag, _cancellationToken).ConfigureAwait(false);
                    return (manifest.Info, manifest);
                }
                catch (RegistryException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return (null, null);
                }
                catch (RegistryException ex) when (ex.StatusCode is not null ? !ex.IsTransient : ex.InnerException is null)
                {
                    // A read the HEAD would not have met (schema 1, a digest mismatch, an oversized or refused body)
                    // must not fail the whole plan: the HEAD below plans the tag as before, and the copy reports it.
                    // An unreachable or struggling registry (no answer, 5xx, 429) is not asked again: the client has
                    // already retried, and the HEAD would only retry as long again before failing the same way.
                }
            }

            return (await Source.HeadManifestAsync(repository, tag, _cancellationToken).ConfigureAwait(false), null);
        }

        private async Task<string?> HeadDigestAsync(IRegistryClient client, string repository, string tag) =>
            (await client.HeadManifestAsync(repository, tag, _cancellationToken).ConfigureAwait(false))?.Digest;

        /// <summary>
        /// Deletions for recorded artifacts the rule no longer selects; never anything outside the record. A full plan
        /// (<paramref name="sourceRepository"/> null) keeps what its listing selected, and leaves alone records under names
        /// the rule's naming can no longer produce (made before it was pointed elsewhere); an event's plan asks the source
        /// repository the event named.
        /// </summary>
        public async Task PlanDeletionsAsync(IReadOnlyCollection<ReplicatedArtifact> replicated, string? sourceRepository)
        {
            await Parallel.ForEachAsync(
                replicated,
                new ParallelOptions { MaxDegreeOfParallelism = _maxChecks, CancellationToken = _cancellationToken },
                async (record, token) =>
                {
                    string reason;
                    if (sourceRepository is not null)
                    {
                        if (await Source.HeadManifestAsync(sourceRepository, record.Tag, token).ConfigureAwait(false) is not null)
                        {
                            return;
                        }

                        reason = "deleted at the source";
                    }
                    else if (!Mapping.CouldProduce(record.Repository) || Selected.ContainsKey($"{record.Repository}:{record.Tag}"))
                    {
                        return;
                    }
                    else
                    {
                        reason = "deleted at the source or no longer selected by the rule's filters";
                    }

                    var current = await Destination.HeadManifestAsync(record.Repository, record.Tag, token).ConfigureAwait(false);
                    var artifact = new PlannedArtifact(sourceRepository ?? Mapping.ToSourceFromDestination(record.Repository) ?? "", record.Tag, record.Digest, record.Repository) { DestinationDigest = current?.Digest };
                    if (current is null)
                    {
                        _delete.Add(artifact with { Reason = $"{reason}; already gone at the destination" });
                    }
                    else if (current.Digest != record.Digest)
                    {
                        _skipped.Add(artifact with { Reason = $"{reason}, but the destination tag now points at {current.Digest}, not what this rule replicated; left alone" });
                    }
                    else
                    {
                        _delete.Add(artifact with { Reason = reason });
                    }
                }).ConfigureAwait(false);
        }

        public void Dispose() => _checks.Dispose();

        public ReplicationPlan Build() => new()
        {
            Copy = Sorted(_copy),
            UpToDate = Sorted(_upToDate),
            Delete = Sorted(_delete),
            Skipped = Sorted(_skipped),
        };

        private static List<PlannedArtifact> Sorted(IEnumerable<PlannedArtifact> artifacts) =>
            artifacts.OrderBy(a => a.DestinationRepository, StringComparer.Ordinal).ThenBy(a => a.Tag, StringComparer.Ordinal).ToList();

        private void Record(Verdict verdict, PlannedArtifact artifact)
        {
            switch (verdict)
            {
                case Verdict.Copy:
                    _copy.Add(artifact);
                    break;
                case Verdict.UpToDate:
                    _upToDate.Add(artifact);
                    break;
                case Verdict.Skipped:
                    _skipped.Add(artifact);
                    break;
                case Verdict.Vanished:
                    break;
            }
        }
    }

    /// <summary>What the listings of one repository told the plan (<see cref="PlanRun.ListAsync"/>); null members: not listed.</summary>
    private sealed record Listing(
        IReadOnlySet<string>? DestinationTags,
        IReadOnlyDictionary<string, ManifestInfo>? SourceManifests,
        IReadOnlyDictionary<string, ManifestInfo>? DestinationManifests)
    {
        public static Listing None { get; } = new(null, null, null);
    }

    private enum Verdict
    {
        Copy,
        UpToDate,
        Skipped,
        Vanished,
    }
}
