using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Replication.Engine.Progress;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>
/// Removes destination tags the rule replicated, and nothing else. A tag is removed only while it still points at the
/// recorded digest. The distribution API deletes manifests, not tags, and deleting a manifest drops every tag on it:
/// when another tag (one this run is not deleting) shares the digest, only our tag is removed, by moving it to a
/// throwaway placeholder manifest and deleting that.
/// </summary>
internal sealed class DestinationTagRemover
{
    private static readonly byte[] EmptyJson = "{}"u8.ToArray();

    private static readonly Descriptor EmptyConfig = new()
    {
        MediaType = MediaTypes.OciEmpty,
        Digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(EmptyJson)),
        Size = EmptyJson.Length,
    };

    private readonly RunContext _run;
    private readonly HashSet<(string Repository, string Tag, string Digest)> _deleting;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _tagDigests = new(StringComparer.Ordinal);
    private readonly SingleFlight<string> _listings = new();

    public DestinationTagRemover(RunContext run, IEnumerable<ReplicationTask> deletions)
    {
        _run = run;
        _deleting = deletions.Where(d => d.Digest is not null).Select(d => (d.DestinationRepository, d.Tag, d.Digest!)).ToHashSet();
    }

    public async Task<TaskResult> DeleteAsync(ReplicationTask task, TaskProgress progress, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(task.Digest))
        {
            throw new ReplicationException($"The deletion of {task.DestinationReference} names no digest; the engine only deletes what it can prove the rule replicated.", false);
        }

        var record = new ReplicatedArtifact(task.DestinationRepository, task.Tag, task.Digest);
        var destination = _run.Destination;
        try
        {
            var current = await destination.HeadManifestAsync(task.DestinationRepository, task.Tag, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return Result(TaskOutcome.Deleted, "already gone at the destination");
            }

            if (current.Digest != task.Digest)
            {
                return Result(TaskOutcome.Skipped, $"{task.DestinationReference} now points at {current.Digest}, not the {task.Digest} this rule replicated; left alone.");
            }

            var sharing = await OtherTagsOnDigestAsync(task, cancellationToken).ConfigureAwait(false);
            if (sharing.Count == 0)
            {
                var deleted = await destination.DeleteManifestAsync(task.DestinationRepository, task.Digest, cancellationToken).ConfigureAwait(false);
                return Result(TaskOutcome.Deleted, deleted ? null : "already gone at the destination");
            }

            await UntagAsync(task, progress, sharing, cancellationToken).ConfigureAwait(false);
            return Result(TaskOutcome.Deleted, $"tag removed; the image stays because {string.Join(", ", sharing.Select(t => task.DestinationRepository + ":" + t))} also point(s) at it");
        }
        catch (RegistryException ex) when (ex.Code == "UNSUPPORTED" || ex.StatusCode == HttpStatusCode.MethodNotAllowed)
        {
            throw new ReplicationException(
                $"Deletion is disabled on the destination registry, so {task.DestinationReference} was left in place " +
                "(for CNCF distribution set storage.delete.enabled: true).",
                false,
                ex);
        }

        TaskResult Result(TaskOutcome outcome, string? message) => new()
        {
            Task = task,
            Outcome = outcome,
            Digest = task.Digest,
            Message = message,
            Forgotten = [record],
        };
    }

    /// <summary>Tags of the repository on the same digest that this run is not deleting too.</summary>
    private async Task<List<string>> OtherTagsOnDigestAsync(ReplicationTask task, CancellationToken cancellationToken)
    {
        var repository = task.DestinationRepository;
        while (!_tagDigests.ContainsKey(repository))
        {
            await _listings.TryLeadAsync(
                repository,
                async () =>
                {
                    if (_tagDigests.ContainsKey(repository))
                    {
                        return;
                    }

                    var tags = await _run.Destination.ListTagsAsync(repository, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
                    var digests = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
                    await Parallel.ForEachAsync(
                        tags,
                        new ParallelOptions { MaxDegreeOfParallelism = _run.Options.MaxParallelChecks, CancellationToken = cancellationToken },
                        async (tag, token) =>
                        {
                            if (await _run.Destination.HeadManifestAsync(repository, tag, token).ConfigureAwait(false) is { } info)
                            {
                                digests[tag] = info.Digest;
                            }
                        }).ConfigureAwait(false);
                    _tagDigests[repository] = new Dictionary<string, string>(digests, StringComparer.Ordinal);
                },
                cancellationToken).ConfigureAwait(false);
        }

        return _tagDigests[repository]
            .Where(t => t.Value == task.Digest && t.Key != task.Tag && !_deleting.Contains((repository, t.Key, task.Digest)))
            .Select(t => t.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Moves the tag onto a unique placeholder manifest and deletes that, leaving the shared image and its other tags alone.</summary>
    private async Task UntagAsync(ReplicationTask task, TaskProgress progress, IReadOnlyList<string> sharing, CancellationToken cancellationToken)
    {
        var destination = _run.Destination;
        var repository = task.DestinationRepository;
        if (await destination.HeadBlobAsync(repository, EmptyConfig.Digest, cancellationToken).ConfigureAwait(false) is null)
        {
            await destination.UploadBlobAsync(
                repository,
                EmptyConfig,
                (offset, _) => Task.FromResult<Stream>(new MemoryStream(EmptyJson, (int)offset, EmptyJson.Length - (int)offset, writable: false)),
                null,
                cancellationToken).ConfigureAwait(false);
        }

        var json = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = EmptyConfig.MediaType, ["digest"] = EmptyConfig.Digest, ["size"] = EmptyConfig.Size },
            ["layers"] = new JsonArray(),
            ["annotations"] = new JsonObject
            {
                ["org.opencontainers.image.description"] = $"placeholder that removed the tag {task.Tag}",
                ["io.replication-admin.placeholder"] = Guid.NewGuid().ToString("N"),
            },
        }.ToJsonString();
        var bytes = Encoding.UTF8.GetBytes(json);
        var placeholder = new Manifest(bytes, MediaTypes.OciManifest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        progress.Report(new TaskLog(task.Id, $"{task.DestinationReference} shares its image with {string.Join(", ", sharing)}; removing only the tag"));
        var original = await destination.GetManifestAsync(repository, task.Digest!, cancellationToken).ConfigureAwait(false);
        await destination.PutManifestAsync(repository, task.Tag, placeholder, cancellationToken).ConfigureAwait(false);
        try
        {
            await destination.DeleteManifestAsync(repository, placeholder.Digest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RegistryException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Never leave the tag on the placeholder: put the image back, then report the failure.
            await destination.PutManifestAsync(repository, task.Tag, original, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
