using System.Diagnostics;
using System.Text;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// The peer: <c>skopeo sync --src yaml</c> with a YAML that lists the source registry and every repository of the
/// project (all tags), into <c>&lt;destination&gt;/&lt;project&gt;</c>. Without <c>--scoped</c> skopeo names each destination
/// repository after the last path segment of the source one, so <c>bench/app-00</c> lands in
/// <c>&lt;destination&gt;/bench/app-00</c>: the same names the engine uses. skopeo copies images one at a time.
/// </summary>
public sealed class SkopeoSync
{
    public const string Binary = "skopeo";

    private readonly string _workDirectory;
    private readonly string _yamlPath;
    private readonly string _policyPath;

    /// <summary>Writes the YAML source list and an accept-anything signature policy into <paramref name="workDirectory"/>.</summary>
    public SkopeoSync(string workDirectory, string sourceAuthority, IReadOnlyList<string> repositories)
    {
        _workDirectory = workDirectory;
        _yamlPath = Path.Combine(workDirectory, "skopeo-sync.yaml");
        _policyPath = Path.Combine(workDirectory, "policy.json");
        var yaml = new StringBuilder();
        yaml.AppendLine($"\"{sourceAuthority}\":");
        yaml.AppendLine("  tls-verify: false");
        yaml.AppendLine("  images:");
        foreach (var repository in repositories)
        {
            yaml.AppendLine($"    \"{repository}\": []");
        }

        File.WriteAllText(_yamlPath, yaml.ToString());
        File.WriteAllText(_policyPath, """{ "default": [ { "type": "insecureAcceptAnything" } ] }""");
    }

    /// <summary>Its version line, or null when skopeo is not installed.</summary>
    public static async Task<string?> VersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (code, output) = await RunProcessAsync(["--version"], null, cancellationToken);
            return code == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs the sync into <c>{destinationAuthority}/{project}</c> and returns how long it took.</summary>
    public async Task<TimeSpan> RunAsync(string destinationAuthority, string project, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "--policy", _policyPath,
            "sync",
            "--src", "yaml",
            "--dest", "docker",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--dest-no-creds",
            "--preserve-digests",
            _yamlPath,
            $"{destinationAuthority}/{project}",
        ];
        var clock = Stopwatch.StartNew();
        var (code, output) = await RunProcessAsync(arguments, _workDirectory, cancellationToken);
        clock.Stop();
        if (code != 0)
        {
            throw new BenchmarkFailedException($"skopeo sync exited with code {code}:\n{Tail(output, 20)}");
        }

        return clock.Elapsed;
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(IEnumerable<string> arguments, string? workDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Binary);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workDirectory is not null)
        {
            start.WorkingDirectory = workDirectory;

            // Any temporary file skopeo writes lands in our directory, which is deleted at the end.
            start.Environment["TMPDIR"] = workDirectory;
        }

        return await ChildProcess.RunAsync(start, cancellationToken);
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
