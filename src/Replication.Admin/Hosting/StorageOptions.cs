using Microsoft.Extensions.Options;

namespace Replication.Admin.Hosting;

/// <summary>Configuration section <c>Storage</c>: where the app keeps its state.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Directory for the SQLite database and the Data Protection key ring; relative paths start at the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}

/// <summary>The resolved locations inside the data directory, created on first use.</summary>
public sealed class StoragePaths
{
    public StoragePaths(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        var configured = string.IsNullOrWhiteSpace(options.Value.DataDirectory) ? "data" : options.Value.DataDirectory;
        DataDirectory = Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        KeysDirectory = Path.Combine(DataDirectory, "keys");
        DatabasePath = Path.Combine(DataDirectory, "replication.db");
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(KeysDirectory);
    }

    public string DataDirectory { get; }

    public string KeysDirectory { get; }

    public string DatabasePath { get; }

    public string ConnectionString => $"Data Source={DatabasePath};Foreign Keys=True";
}
