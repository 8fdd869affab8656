using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Replication.Testing.Databases;

/// <summary>
/// A throwaway PostgreSQL server (Debian's <c>postgresql</c> package) on a free 127.0.0.1 port, with its cluster in a
/// temporary directory. <c>initdb</c> and <c>pg_ctl</c> refuse to run as root, so they run as the <c>postgres</c> user.
/// Trust authentication on loopback only; fsync off (a test database need not survive a power cut).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartSharedAsync);
    private int _databases;

    private PostgresServer(string directory, int port, string binDirectory)
    {
        Directory = directory;
        Port = port;
        BinDirectory = binDirectory;
    }

    /// <summary>One server for the whole test process, stopped when the process exits.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    /// <summary>The temporary directory holding the cluster, its socket and its log.</summary>
    public string Directory { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Where <c>initdb</c> and <c>pg_ctl</c> were found.</summary>
    public string BinDirectory { get; }

    /// <summary>The server's administrative connection string (database <c>postgres</c>).</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <summary>A connection string to <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,

            // Many test hosts live at once, each with its own pool: keep each small and let idle connections go soon.
            MaxPoolSize = 20,
            ConnectionIdleLifetime = 10,
            ConnectionPruningInterval = 5,
        }.ConnectionString;

    /// <summary>Where PostgreSQL's programs are: the newest <c>/usr/lib/postgresql/N/bin</c>.</summary>
    public static string? FindBinDirectory() =>
        System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    /// <summary>Creates a cluster in a new temporary directory and starts it; dispose to stop and delete it.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException("PostgreSQL is not installed: scripts/install-test-deps.sh installs Debian's postgresql package.");
        SweepAbandoned();
        var directory = Path.Combine(Path.GetTempPath(), $"replication-pg-{Guid.NewGuid():N}"[..30]);
        System.IO.Directory.CreateDirectory(directory);
        await RunAsync("chown", ["postgres:postgres", directory]);
        var data = Path.Combine(directory, "data");
        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        var port = FreePort();
        var settings = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000";
        await RunAsPostgresAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", settings, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"]);
        return new PostgresServer(directory, port, bin);
    }

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 20)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", Path.Combine(Directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already down.
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Deletes the clusters of servers no longer running: a test process killed before its exit handler had deleted its
    /// cluster leaves hundreds of MiB behind, run after run. A directory younger than ten minutes may be a cluster
    /// another process is still creating, so it stays.
    /// </summary>
    private static void SweepAbandoned()
    {
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), "replication-pg-*"))
        {
            if (DateTime.UtcNow - System.IO.Directory.GetLastWriteTimeUtc(directory) < TimeSpan.FromMinutes(10) || IsRunning(directory))
            {
                continue;
            }

            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another process is sweeping it too.
            }
        }
    }

    private static bool IsRunning(string directory)
    {
        var pidFile = Path.Combine(directory, "data", "postmaster.pid");
        try
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
            {
                return false;
            }

            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return true; // unreadable or going away: leave it
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static Task RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
