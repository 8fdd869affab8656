using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replication.Testing.App;

/// <summary>
/// The real Replication Admin process, built by the solution (src/Replication.Admin, same configuration as the tests),
/// on a free loopback port with its own data directory. End-to-end tests drive it exactly as an administrator would,
/// through HTTP and a browser; crash tests kill it mid-run and start another on the same data directory.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    /// <summary>The first administrator's user name.</summary>
    public const string AdminUserName = "admin";

    /// <summary>The first administrator's password.</summary>
    public const string AdminPassword = "E2e-Admin-Passw0rd!";

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string dataDirectory;
    private readonly bool ownsDataDirectory;

    private AppProcess(Process process, string dataDirectory, bool ownsDataDirectory, Uri url)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        Url = url;
    }

    /// <summary>Where the app listens.</summary>
    public Uri Url { get; }

    /// <summary>Everything the app printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the app and waits until it serves its sign-in page. Without <paramref name="dataDirectory"/> a temporary
    /// one is made and deleted on dispose; a given one is left for the caller (to start the app on it again).
    /// </summary>
    /// <param name="settings">Configuration keys (<c>Replication:Jobs:QueuePollInterval</c>) passed as environment variables.</param>
    /// <param name="dataDirectory">The app's <c>Storage:DataDirectory</c>.</param>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string? dataDirectory = null)
    {
        var app = Launch(settings, dataDirectory);
        // A first start migrates a new database; on a loaded 2-core machine that has taken over a minute.
        await app.WaitUntilServingAsync(TimeSpan.FromSeconds(150));
        return app;
    }

    /// <summary>
    /// Starts the app with configuration it must refuse and waits for it to exit: its exit code and everything it printed.
    /// Fails if it serves its sign-in page instead (a half-started node).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> StartExpectingRefusalAsync(IReadOnlyDictionary<string, string> settings, TimeSpan limit)
    {
        await using var app = Launch(settings, dataDirectory: null);
        using var deadline = new CancellationTokenSource(limit);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
        while (!app.process.HasExited)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"The app neither served nor exited within {limit.TotalSeconds} s:\n{app.Output}");
            }

            if (await app.ServesSignInAsync(http))
            {
                throw new InvalidOperationException($"The app started serving {app.Url} although its configuration is bad:\n{app.Output}");
            }

            await Task.Delay(200, CancellationToken.None);
        }

        // Exited: the last lines of output are read once the streams close.
        await app.process.WaitForExitAsync(CancellationToken.None);
        return (app.process.ExitCode, app.Output);
    }

    private static AppProcess Launch(IReadOnlyDictionary<string, string>? settings, string? dataDirectory)
    {
        var ownsDataDirectory = dataDirectory is null;
        var repoRoot = RepositoryRoot();
        var projectDir = Path.Combine(repoRoot, "src", "Replication.Admin");
        var dll = FindBuiltApp(projectDir);
        dataDirectory ??= Directory.CreateTempSubdirectory("replication-e2e-").FullName;
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");

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
        var app = new AppProcess(process, dataDirectory, ownsDataDirectory, url);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>The app's process id (for its memory figures in <c>/proc</c>).</summary>
    public int ProcessId => process.Id;

    /// <summary>The app's data directory (SQLite database, Hangfire storage, keys).</summary>
    public string DataDirectory => dataDirectory;

    /// <summary>Kills the process as a crash would: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Kills the app and deletes the data directory it made.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
        if (!ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment after the kill; a leftover temp folder is harmless.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan limit)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before serving:\n{Output}");
            }

            if (await ServesSignInAsync(http))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The app did not serve {Url} within {limit.TotalSeconds} s:\n{Output}");
    }

    private async Task<bool> ServesSignInAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(Url, "/account/login"));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static string FindBuiltApp(string projectDir)
    {
        // The test runs from tests/…/bin/<Configuration>/net10.0; use the app built with the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(projectDir, "bin", configuration, "net10.0", "Replication.Admin.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
    }

    /// <summary>The folder that holds Replication.Admin.sln, found above the test binaries.</summary>
    public static string RepositoryRoot()
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
