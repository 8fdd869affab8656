using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replication.Registry.Tests.Support;

/// <summary>
/// A web server that is not a registry (a portal page, a 404, or silence): what an admin reaches with a wrong URL.
/// Real registries cannot play this part, so it is a stand-in by design.
/// </summary>
internal sealed class PlainHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _response;
    private readonly Task _loop;

    /// <param name="response">Full HTTP response to send to every request; null to accept and never answer.</param>
    private PlainHttpServer(string? response)
    {
        _response = response;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static PlainHttpServer Html() => new(Response("200 OK", "text/html", "<!DOCTYPE html><html><body><h1>Welcome to the portal</h1></body></html>"));

    public static PlainHttpServer NotFound() => new(Response("404 Not Found", "text/plain", "404 page not found"));

    public static PlainHttpServer Silent() => new(null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private static string Response(string status, string contentType, string body) =>
        $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    private async Task AcceptLoopAsync()
    {
        var held = new List<TcpClient>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                if (_response is null)
                {
                    held.Add(client); // keep the connection open, say nothing
                    continue;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[8192];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var n = await stream.ReadAsync(buffer, _stop.Token);
                            if (n == 0)
                            {
                                return;
                            }

                            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }

                        await stream.WriteAsync(Encoding.UTF8.GetBytes(_response), _stop.Token);
                    }
                });
            }
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
    }
}
