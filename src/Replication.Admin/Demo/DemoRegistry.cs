using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Replication.Admin.Demo;

/// <summary>
/// A local CNCF distribution registry for the demo: anonymous, deletion enabled, on a loopback port, storing under the
/// data directory so its images survive restarts. It ends with the app, even when the app is killed: a small shell
/// watcher ends it when the app's end of its stdin closes.
/// </summary>
public sealed class DemoRegistry : IAsyncDisposable
{
    // Runs the registry and kills it when our stdin closes (the app exited or was killed).
    private const string WatcherScript = """
        exec 3<&0
        "$1" serve "$2" </dev/null 3<&- &
        child=$!
        ( read -r _ <&3; kill -TERM "$child" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
        wait "$child"
        """;

    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DemoRegistry(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Starts the registry on <paramref name="port"/> (0: a free one) and waits until it answers <c>GET /v2/</c>.</summary>
    public static async Task<DemoRegistry> StartAsync(string binary, string name, string directory, int port, CancellationToken cancellationToken)
    {
        var storage = Path.Combine(directory, "storage");
        Directory.CreateDirectory(storage);
        for (var attempt = 1; ; attempt++)
        {
            // A port someone else holds could even answer /v2/: only a free one is used.
            var chosen = port > 0 && attempt == 1 && IsFree(port) ? port : FreePort();
            var registry = Launch(binary, name, directory, storage, chosen);
            try
            {
                await registry.WaitUntilReadyAsync(TimeSpan.FromSeconds(20), cancellationToken);
                return registry;
            }
            catch (InvalidOperationException) when (attempt < 3 && registry.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // Taken since we looked (or the remembered port is in use now): another one.
                await registry.DisposeAsync();
            }
            catch
            {
                await registry.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>What the registry printed (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (OperationCanceledException)
        {
            // It will end when its stdin watcher notices; nothing more to do.
        }

        _process.Dispose();
    }

    public override string ToString() => $"{Name} ({Url})";

    private static DemoRegistry Launch(string binary, string name, string directory, string storage, int port)
    {
        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, Config(storage, port));
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[] { "-c", WatcherScript, "demo-registry", binary, config })
        {
            start.ArgumentList.Add(argument);
        }

        // REGISTRY_* variables would override the file.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var registry = new DemoRegistry(name, port, process);
        process.OutputDataReceived += (_, e) => registry.Append(e.Data);
        process.ErrorDataReceived += (_, e) => registry.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return registry;
    }

    private static string Config(string storage, int port) => $"""
        version: 0.1
        log:
          level: warn
          formatter: text
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: "{storage.Replace("\\", "/", StringComparison.Ordinal)}"
          delete:
            enabled: true
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: "127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"
          secret: "{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}"
          headers:
            X-Content-Type-Options: [nosniff]
        """;

    private async Task WaitUntilReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} ({Url}) exited with code {_process.ExitCode} before answering:\n{Output}");
            }

            try
            {
                using var response = await Probe.GetAsync(new Uri(Url, "/v2/"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The probe timed out.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} did not answer on {Url} within {limit.TotalSeconds:0} s:\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
