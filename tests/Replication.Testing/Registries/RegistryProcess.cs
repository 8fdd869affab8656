using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Replication.Testing.Tokens;

namespace Replication.Testing.Registries;

/// <summary>
/// A real CNCF distribution registry (<c>/usr/bin/docker-registry</c>) on a free 127.0.0.1 port, with its
/// own temporary directory for configuration and filesystem storage. Disposing kills it and deletes the
/// directory; <see cref="StopAsync"/> and <see cref="RestartAsync"/> take it down and bring it back on the
/// same port with the same content.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    /// <summary>The binary started; distribution 2.8 from the Debian package.</summary>
    public const string Binary = "/usr/bin/docker-registry";

    private const string DirectoryPrefix = "replication-registry-";

    // Runs the registry and kills it when our stdin closes, so a test host that dies (even by SIGKILL) leaves nothing.
    // The watcher holds neither stdout nor stderr, so both reach EOF when the registry exits.
    private const string WatcherScript = """
        exec 3<&0
        "$1" serve "$2" </dev/null 3<&- &
        child=$!
        ( read -r _ <&3; kill -TERM "$child" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
        reader=$!
        wait "$child"
        status=$?
        # A registry that exits by itself must not leave the stdin reader behind: end it before this script ends.
        kill "$reader" 2>/dev/null
        wait "$reader" 2>/dev/null
        exit $status
        """;

    private static readonly HttpClient ReadinessClient = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,

        // Only asks whether the registry serves yet; who trusts its certificate is what TLS tests check.
#pragma warning disable CA5359
        SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
#pragma warning restore CA5359
    })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    private readonly RegistryOptions _options;
    private readonly List<RegistryUser> _users;
    private readonly LogTail _log = new(200);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private IReadOnlyList<NotificationEndpoint> _notifications;
    private Process? _process;
    private bool _disposed;

    private RegistryProcess(RegistryOptions options, string directory, List<RegistryUser> users, TokenIssuer? issuer, TestCertificateAuthority? authority)
    {
        _options = options;
        _users = users;
        _notifications = options.Notifications;
        Directory = directory;
        TokenIssuer = issuer;
        CertificateAuthority = authority;
    }

    /// <summary>Base URL without trailing slash: <c>http://127.0.0.1:port</c> (<c>https</c> with <see cref="RegistryOptions.Tls"/>).</summary>
    public string Url => $"{(CertificateAuthority is null ? "http" : "https")}://127.0.0.1:{Port}";

    /// <summary>The private CA that issued the registry's certificate, with <see cref="RegistryOptions.Tls"/>; otherwise null.</summary>
    public TestCertificateAuthority? CertificateAuthority { get; }

    /// <summary>Host and port as used in image references: <c>127.0.0.1:port</c>.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    /// <summary>The loopback port; the same after a restart.</summary>
    public int Port { get; private set; }

    /// <summary>Authentication mode.</summary>
    public RegistryAuthMode Auth => _options.Auth;

    /// <summary>The default account's user name (first of <see cref="Users"/>); null when anonymous.</summary>
    public string? UserName => _users.Count > 0 ? _users[0].Name : null;

    /// <summary>The default account's password; null when anonymous. Never logged by this class.</summary>
    public string? Password => _users.Count > 0 ? _users[0].Password : null;

    /// <summary>All accounts (empty when anonymous).</summary>
    public IReadOnlyList<RegistryUser> Users => _users;

    /// <summary>The token server the registry trusts, in Token mode; otherwise null.</summary>
    public TokenIssuer? TokenIssuer { get; }

    /// <summary>Whether manifests and blobs may be deleted.</summary>
    public bool DeleteEnabled => _options.DeleteEnabled;

    /// <summary>The temporary directory holding <c>config.yml</c> and <c>storage/</c>; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>Path of the generated <c>config.yml</c>.</summary>
    public string ConfigPath => Path.Combine(Directory, "config.yml");

    /// <summary>Whether the registry process is up (false after <see cref="StopAsync"/>).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines the registry wrote to stdout and stderr, for failure messages.</summary>
    public string RecentLog => _log.ToString();

    /// <summary>Starts a registry and waits until <c>GET /v2/</c> answers.</summary>
    /// <param name="options">What to start; anonymous with deletion enabled when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RegistryProcess> StartAsync(RegistryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RegistryOptions();
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing; install the docker-registry package (scripts/install-test-deps.sh).");
        }

        LeftoverReaper.SweepStaleDirectoriesOnce(DirectoryPrefix);
        var directory = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Secrets.NewId());
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "storage"));
        LeftoverReaper.Track(directory);

        var users = options.Auth == RegistryAuthMode.Anonymous
            ? []
            : options.Users.Count > 0 ? options.Users.ToList() : [RegistryUser.Create("tester")];
        TokenIssuer? issuer = null;
        TestCertificateAuthority? authority = null;
        RegistryProcess? registry = null;
        try
        {
            if (options.Tls)
            {
                authority = TestCertificateAuthority.Create($"Replication Test CA {Secrets.NewId()}");
                var (certificate, key) = authority.IssueServerCertificate();
                await File.WriteAllTextAsync(Path.Combine(directory, "server.crt"), certificate, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), key, cancellationToken);
            }

            if (options.Auth == RegistryAuthMode.Token)
            {
                issuer = await TokenIssuer.StartAsync(users, options.TokenLifetime, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(directory, "token-root.pem"), issuer.CertificatePem, cancellationToken);
            }
            else if (options.Auth == RegistryAuthMode.Basic)
            {
                // Cost 4 (bcrypt's minimum): the registry checks the hash on every request.
                var lines = users.Select(u => $"{u.Name}:{BCrypt.Net.BCrypt.HashPassword(u.Password, BCrypt.Net.BCrypt.GenerateSalt(4, 'y'))}");
                await File.WriteAllLinesAsync(Path.Combine(directory, "htpasswd"), lines, cancellationToken);
            }

            registry = new RegistryProcess(options, directory, users, issuer, authority);
            await registry.LaunchOnFreePortAsync(cancellationToken);
            return registry;
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
            else
            {
                if (issuer is not null)
                {
                    await issuer.DisposeAsync();
                }

                authority?.Dispose();

                LeftoverReaper.DeleteDirectory(directory);
                LeftoverReaper.Untrack(directory);
            }

            throw;
        }
    }

    /// <summary>Kills the registry process, keeping its port, storage and token issuer for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            await KillAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Starts the registry again on the same port and storage (stopping it first if it runs) and waits until it answers.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await KillAsync();
            await LaunchAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Replaces the notification endpoints; takes effect at the next <see cref="RestartAsync"/>.</summary>
    public void ConfigureNotifications(IReadOnlyList<NotificationEndpoint> endpoints) =>
        _notifications = endpoints ?? throw new ArgumentNullException(nameof(endpoints));

    /// <summary>An <c>Authorization</c> header for the default account in Basic mode (null otherwise).</summary>
    public AuthenticationHeaderValue? BasicAuthorization() =>
        Auth == RegistryAuthMode.Basic && UserName is not null
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}")))
            : null;

    /// <summary>Describes the registry without its password.</summary>
    public override string ToString() =>
        $"docker-registry {Url} ({Auth}{(UserName is null ? string.Empty : $", user {UserName}")})";

    /// <summary>Kills the process tree, stops the token issuer and deletes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await KillAsync();
            if (TokenIssuer is not null)
            {
                await TokenIssuer.DisposeAsync();
            }

            CertificateAuthority?.Dispose();
            LeftoverReaper.DeleteDirectory(Directory);
            LeftoverReaper.Untrack(Directory);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task LaunchOnFreePortAsync(CancellationToken cancellationToken)
    {
        // Another process may grab the port between probing and binding; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            try
            {
                await LaunchAsync(cancellationToken);
                return;
            }
            catch (RegistryStartException) when (attempt < 3 && _log.ToString().Contains("address already in use", StringComparison.Ordinal))
            {
                _log.Clear();
            }
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var settings = new RegistryConfig.Settings(
            Port,
            Path.Combine(Directory, "storage"),
            _options.DeleteEnabled,
            Auth == RegistryAuthMode.Basic ? Path.Combine(Directory, "htpasswd") : null,
            TokenIssuer?.Realm,
            TokenIssuer is null ? null : Path.Combine(Directory, "token-root.pem"),
            _notifications,
            CertificateAuthority is null ? null : Path.Combine(Directory, "server.crt"),
            CertificateAuthority is null ? null : Path.Combine(Directory, "server.key"));
        await File.WriteAllTextAsync(ConfigPath, RegistryConfig.Render(settings), cancellationToken);

        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[] { "-c", WatcherScript, "docker-registry-watch", Binary, ConfigPath })
        {
            start.ArgumentList.Add(argument);
        }

        // REGISTRY_* variables override the file; the test host's environment must not leak in.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => _log.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _log.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        LeftoverReaper.Track(process);

        try
        {
            await WaitUntilReadyAsync(process, cancellationToken);
        }
        catch
        {
            await KillAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await KillAsync(); // also drains the remaining output into the log
                throw new RegistryStartException($"docker-registry exited with code {code} before answering on {Url} (config {ConfigPath}).\n{_log}");
            }

            try
            {
                using var response = await ReadinessClient.GetAsync(new Uri($"{Url}/v2/"), cancellationToken);
                // 200 when anonymous, 401 with a challenge when authenticated: either way it serves.
                if (response.Headers.Contains("Docker-Distribution-Api-Version"))
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
                // Attempt timed out.
            }

            if (DateTime.UtcNow > deadline)
            {
                await KillAsync();
                throw new RegistryStartException($"docker-registry did not answer GET {Url}/v2/ within {_options.StartTimeout.TotalSeconds:0} s (config {ConfigPath}).\n{_log}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task KillAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        try
        {
            // Closing stdin ends the watcher (and through it the registry) even if the kill below misses a child.
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The watcher is gone already.
        }

        LeftoverReaper.Kill(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            // Waits for exit and for the output pipes to drain into the log.
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _log.Add("(fixture: the registry's output did not close within 10 s of the kill)");
        }

        LeftoverReaper.Untrack(process);
        process.Dispose();
    }
}

/// <summary>The registry did not come up; the message carries its recent output.</summary>
public sealed class RegistryStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RegistryStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RegistryStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RegistryStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
