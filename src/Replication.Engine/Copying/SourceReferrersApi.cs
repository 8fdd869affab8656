using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>
/// The source registry's referrers API for one run. A registry without it (distribution 2.8 answers 404) says so for
/// every repository and digest, so after the first such answer the run reads only the tag schema. Until the registry
/// has answered clearly, questions go one at a time, so a run against a registry without the API sends exactly one
/// referrers request however many manifests it copies.
/// </summary>
internal sealed class SourceReferrersApi(IRegistryClient source) : IDisposable
{
    private readonly SemaphoreSlim _firstAnswer = new(1, 1);
    private volatile ReferrersApiSupport _support = ReferrersApiSupport.Unknown;

    /// <summary>Whether the registry is known to have no referrers API (for tests and logs).</summary>
    public bool KnownUnsupported => _support == ReferrersApiSupport.Unsupported;

    /// <summary>The referrers of <paramref name="digest"/> from the API; null when the tag schema must answer instead.</summary>
    public async Task<IReadOnlyList<Descriptor>?> ListAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        if (_support == ReferrersApiSupport.Unknown)
        {
            await _firstAnswer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_support == ReferrersApiSupport.Unknown)
                {
                    return await AskAsync(repository, digest, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _firstAnswer.Release();
            }
        }

        return _support == ReferrersApiSupport.Unsupported ? null : await AskAsync(repository, digest, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _firstAnswer.Dispose();

    private async Task<IReadOnlyList<Descriptor>?> AskAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var answer = await source.GetReferrersFromApiAsync(repository, digest, cancellationToken).ConfigureAwait(false);

        // A 400 for one digest says nothing about the registry; only clear answers are remembered.
        if (answer.Support != ReferrersApiSupport.Unknown)
        {
            _support = answer.Support;
        }

        return answer.Referrers;
    }
}
