using System.Collections.Concurrent;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>
/// Finds the referrer tags (<c>sha256-…</c>, <c>.sig</c>, <c>.att</c>, <c>.sbom</c>) of source manifests for tasks that came
/// without the plan's tag listing (rebuilt from storage, planned from an event). Rather than four HEADs per manifest, a
/// repository's tags are listed once per run and shared by all its tasks; a listing that would take more pages than
/// the HEADs it saves is abandoned for the HEADs, so the worst case stays within twice the HEADs.
/// </summary>
internal sealed class SourceReferrerTags
{
    private const int PageSize = 100;

    private readonly IRegistryClient _source;
    private readonly IReadOnlyDictionary<string, int> _tasksWithoutListing;

    // repository -> attachment tags by subject digest; null: listing abandoned, HEAD each candidate.
    private readonly ConcurrentDictionary<string, ILookup<string, string>?> _listings = new(StringComparer.Ordinal);
    private readonly SingleFlight<string> _listing = new();

    /// <param name="source">The source registry.</param>
    /// <param name="tasksWithoutListing">Per source repository, how many copy tasks of the run need their referrer tags found.</param>
    public SourceReferrerTags(IRegistryClient source, IReadOnlyDictionary<string, int> tasksWithoutListing)
    {
        _source = source;
        _tasksWithoutListing = tasksWithoutListing;
    }

    /// <summary>The referrer tags of <paramref name="digest"/> that exist in <paramref name="repository"/>.</summary>
    public async Task<IReadOnlyList<string>> FindAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        while (!_listings.ContainsKey(repository))
        {
            await _listing.TryLeadAsync(
                repository,
                async () =>
                {
                    if (!_listings.ContainsKey(repository))
                    {
                        _listings[repository] = await ListAsync(repository, cancellationToken).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        if (_listings[repository] is { } listing)
        {
            return [.. listing[digest]];
        }

        var candidates = AttachmentTags.For(digest).Select(c => c.Tag);
        var found = await Task.WhenAll(candidates.Select(async tag =>
            await _source.HeadManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false) is not null ? tag : null)).ConfigureAwait(false);
        return found.OfType<string>().ToList();
    }

    private async Task<ILookup<string, string>?> ListAsync(string repository, CancellationToken cancellationToken)
    {
        // The HEADs this listing replaces: four per manifest of the repository's tasks.
        var budget = 4 * Math.Max(1, _tasksWithoutListing.GetValueOrDefault(repository));
        var attached = new List<(string Digest, string Tag)>();
        string? last = null;
        for (var pages = 1; ; pages++)
        {
            var page = await _source.GetTagsPageAsync(repository, PageSize, last, cancellationToken).ConfigureAwait(false);
            foreach (var tag in page.Items)
            {
                if (AttachmentTags.TryParse(tag, out var subject, out _))
                {
                    attached.Add((subject, tag));
                }
            }

            if (!page.HasMore)
            {
                return attached.ToLookup(a => a.Digest, a => a.Tag, StringComparer.Ordinal);
            }

            if (pages >= budget)
            {
                return null;
            }

            last = page.Last;
        }
    }
}
