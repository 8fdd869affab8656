using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Replication.Benchmarks.Corpus;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// The raw limit: every distinct blob streamed once from a source GET straight into a destination monolithic upload
/// (POST, then PUT with the GET's body and <c>Content-Length</c>), many at a time, with no listing, no planning, no
/// manifests, no hashing on our side and no retries. Both registries still do their own work (the destination hashes
/// what it stores), so this is the best any copier can do on this machine.
/// </summary>
public static class RawTransfer
{
    public static async Task<TimeSpan> RunAsync(string sourceUrl, string destinationUrl, IReadOnlyList<CorpusBlob> blobs, int parallel, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, MaxConnectionsPerServer = int.MaxValue })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // Largest first, so the long transfers do not start last and leave the other streams idle.
        var ordered = blobs.OrderByDescending(b => b.Size).ToList();
        var destination = new Uri(destinationUrl);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            ordered,
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                using var get = await http.GetAsync(new Uri($"{sourceUrl}/v2/{blob.Repository}/blobs/{blob.Digest}"), HttpCompletionOption.ResponseHeadersRead, token);
                Expect(get, HttpStatusCode.OK, "GET", blob);
                using var post = await http.PostAsync(new Uri($"{destinationUrl}/v2/{blob.Repository}/blobs/uploads/"), null, token);
                Expect(post, HttpStatusCode.Accepted, "POST", blob);
                var location = new Uri(destination, post.Headers.Location ?? throw new BenchmarkFailedException("Upload start without Location."));
                var target = new UriBuilder(location);
                target.Query = (string.IsNullOrEmpty(target.Query) ? "" : target.Query.TrimStart('?') + "&") + "digest=" + Uri.EscapeDataString(blob.Digest);

                using var content = new StreamContent(await get.Content.ReadAsStreamAsync(token), 64 * 1024);
                content.Headers.ContentLength = blob.Size;
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var put = await http.PutAsync(target.Uri, content, token);
                Expect(put, HttpStatusCode.Created, "PUT", blob);
            });
        clock.Stop();
        return clock.Elapsed;
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status, string what, CorpusBlob blob)
    {
        if (response.StatusCode != status)
        {
            throw new BenchmarkFailedException($"Raw transfer: {what} of {blob.Repository}@{blob.Digest} answered {(int)response.StatusCode}, expected {(int)status}.");
        }
    }
}
