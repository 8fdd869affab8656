using Replication.Testing.Faults;

namespace Replication.Registry.Tests.Support;

/// <summary>How a blob upload went, as the proxy in front of the registry saw it (not as the client reports it).</summary>
internal static class UploadTraffic
{
    private static readonly RequestMatch[] UploadRequests =
        [RequestMatch.UploadStart, RequestMatch.UploadPatch, RequestMatch.UploadPut, RequestMatch.UploadStatus];

    /// <summary>Upload requests the proxy cut or failed: the faults the client had to recover from.</summary>
    public static int Faults(FaultProxy proxy, string repository) =>
        proxy.Exchanges.Count(e => e.InjectedFault is not null && UploadRequests.Any(m => m.In(repository).Matches(e.Method, e.Path, e.Query)));

    /// <summary>Sessions opened after the first (a POST the auth challenge sent again is one): times the upload started from byte 0.</summary>
    public static int Restarts(FaultProxy proxy, string repository) =>
        proxy.Matching(RequestMatch.UploadStart.In(repository)).Count(e => e.StatusCode != 401) - 1;

    /// <summary>Whether the blob went up in PATCH chunks rather than one PUT.</summary>
    public static bool Chunked(FaultProxy proxy, string repository) => proxy.Count(RequestMatch.UploadPatch.In(repository)) > 0;

    /// <summary>(faults, restarts) of the uploads into <paramref name="repository"/>.</summary>
    public static (int Faults, int Restarts) Recovery(FaultProxy proxy, string repository) => (Faults(proxy, repository), Restarts(proxy, repository));
}
