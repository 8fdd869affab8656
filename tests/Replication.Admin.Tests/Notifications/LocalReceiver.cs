using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Replication.Admin.Tests.Notifications;

/// <summary>An HTTP endpoint on a loopback port that records what it is sent and answers with <see cref="Status"/>.</summary>
public sealed class LocalReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Channel<Received> received = Channel.CreateUnbounded<Received>();

    public LocalReceiver()
    {
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>The next request, or a failed test after <paramref name="seconds"/>.</summary>
    public async Task<Received> NextAsync(int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"nothing arrived at {Url} within {seconds} s");
        }
    }

    public void Dispose() => listener.Close();

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            context.Response.StatusCode = (int)Status;
            context.Response.Close();
            received.Writer.TryWrite(new Received(context.Request.Url!.AbsolutePath, headers, body));
        }
    }

    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body);
}
