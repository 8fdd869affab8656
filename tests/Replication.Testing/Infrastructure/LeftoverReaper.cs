using System.Collections.Concurrent;
using System.Diagnostics;

namespace Replication.Testing;

/// <summary>
/// Kills child processes and deletes temporary directories the tests did not dispose,
/// when the test host exits normally. (A killed host is covered by the stdin watcher of each child.)
/// </summary>
internal static class LeftoverReaper
{
    private static readonly ConcurrentDictionary<Process, byte> Processes = new();
    private static readonly ConcurrentDictionary<string, byte> Directories = new();
    private const string OwnerFile = "owner.pid";

    static LeftoverReaper() => AppDomain.CurrentDomain.ProcessExit += (_, _) => ReapAll();

    public static void Track(Process process) => Processes.TryAdd(process, 0);

    public static void Untrack(Process process) => Processes.TryRemove(process, out _);

    private static int _swept;

    /// <summary>Marks the directory as this process's, so a later test run can tell it was left behind.</summary>
    public static void Track(string directory)
    {
        Directories.TryAdd(directory, 0);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Deletes temp directories with the prefix whose owning test host is gone (it was killed before cleaning up).</summary>
    public static void SweepStaleDirectoriesOnce(string prefix)
    {
        if (Interlocked.Exchange(ref _swept, 1) == 1)
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), prefix + "*"))
        {
            try
            {
                var owner = File.ReadAllText(Path.Combine(directory, OwnerFile)).Trim();
                if (!Directory.Exists(Path.Combine("/proc", owner)))
                {
                    DeleteDirectory(directory);
                }
            }
            catch (IOException)
            {
                // Not ours or in use; leave it.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours; leave it.
            }
        }
    }

    public static void Untrack(string directory) => Directories.TryRemove(directory, out _);

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public static void DeleteDirectory(string directory)
    {
        for (var attempt = 0; attempt < 5 && Directory.Exists(directory); attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException) when (attempt < 4)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static void ReapAll()
    {
        foreach (var process in Processes.Keys)
        {
            Kill(process);
        }

        foreach (var directory in Directories.Keys)
        {
            try
            {
                DeleteDirectory(directory);
            }
            catch (IOException)
            {
                // Best effort at exit.
            }
            catch (UnauthorizedAccessException)
            {
                // Best effort at exit.
            }
        }
    }
}
