using Microsoft.Extensions.Options;

namespace Replication.Admin.Hosting;

/// <summary>Configuration section <c>Storage</c>: where the app keeps its state.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The connection string's name under <c>ConnectionStrings</c> for PostgreSQL.</summary>
    public const string ConnectionStringName = "Replication";

    /// <summary>
    /// <c>Storage:Provider</c>: <c>Sqlite</c> (default: one node, everything in the data directory) or <c>PostgreSql</c>
    /// (several nodes sharing <c>ConnectionStrings:Replication</c>).
    /// </summary>
    public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

    /// <summary>Directory for the SQLite database and the Data Protection key ring; relative paths start at the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}

/// <summary>Where the app's database lives.</summary>
public enum StorageProvider
{
    Sqlite,
    PostgreSql,
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
