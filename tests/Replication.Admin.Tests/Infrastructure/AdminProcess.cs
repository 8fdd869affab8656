using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replication.Admin.Tests.Infrastructure;

/// <summary>
/// The real app as its own process (the build output of src/Replication.Admin) on a free loopback port and a given
/// data directory: what a crash test needs, since only a process can be killed mid-run and started again.
/// </summary>
public sealed class AdminProcess : IAsyncDisposable
{
    public const string AdminUserName = "admin";
    public const string AdminPassword = "Crash-Admin-Passw0rd";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AdminProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

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

    public static async Task<AdminProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var projectDir = Path.Combine(RepositoryRoot(), "src", "Replication.Admin");
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(projectDir, "bin", configuration, "net10.0", "Replication.Admin.dll");
        Assert.True(File.Exists(dll), $"Build the app first: {dll} is missing.");
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add(url.ToString().TrimEnd('/'));
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["Storage__DataDirectory"] = dataDirectory;
        startInfo.Environment["Admin__UserName"] = AdminUserName;
        startInfo.Environment["Admin__InitialPassword"] = AdminPassword;
        startInfo.Environment["Demo__Enabled"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var app = new AdminProcess(process, url);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    /// <summary>Kills the process as a crash would: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan limit)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            Assert.False(_process.HasExited, $"The app exited with code {(_process.HasExited ? _process.ExitCode : 0)} before serving:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "/account/login"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The app did not serve {Url} within {limit.TotalSeconds} s:\n{Output}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Replication.Admin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Replication.Admin.sln not found above the test binaries.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
