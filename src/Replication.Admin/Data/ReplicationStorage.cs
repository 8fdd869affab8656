using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Replication.Admin.Hosting;

namespace Replication.Admin.Data;

/// <summary>
/// The one seam between the app and its storage: which provider (SQLite in the data directory, or a PostgreSQL shared
/// by several nodes), and from it the EF Core options, the Hangfire storage and where the Data Protection keys live.
/// Nothing above <c>Data/</c> knows which provider runs. Bad configuration fails here, at start, with what to fix.
/// </summary>
public sealed class ReplicationStorage
{
    /// <summary>Name of the Hangfire database file inside the data directory (SQLite).</summary>
    public const string HangfireFileName = "hangfire.db";

    /// <summary>Hangfire's own schema in a shared PostgreSQL database.</summary>
    private const string JobSchema = "hangfire";

    private readonly StoragePaths _paths;

    public ReplicationStorage(IOptions<StorageOptions> options, IConfiguration configuration, StoragePaths paths)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        _paths = paths;
        var configured = options.Value.Provider;
        if (!Enum.TryParse<StorageProvider>(configured?.Trim(), ignoreCase: true, out var provider) || !Enum.IsDefined(provider) || int.TryParse(configured, out _))
        {
            throw new StorageConfigurationException($"Storage:Provider '{configured}' is not known. Use 'Sqlite' (one node, the default) or 'PostgreSql' (several nodes, with ConnectionStrings:{StorageOptions.ConnectionStringName}).");
        }

        Provider = provider;
        if (provider == StorageProvider.PostgreSql)
        {
            var connectionString = configuration.GetConnectionString(StorageOptions.ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new StorageConfigurationException($"Storage:Provider is PostgreSql but ConnectionStrings:{StorageOptions.ConnectionStringName} is empty. Set it to the shared database, e.g. 'Host=db;Database=replication;Username=replication;Password=…'.");
            }

            try
            {
                ConnectionString = new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
            }
            catch (ArgumentException exception)
            {
                throw new StorageConfigurationException($"ConnectionStrings:{StorageOptions.ConnectionStringName} is not a PostgreSQL connection string: {exception.Message}", exception);
            }
        }
        else
        {
            ConnectionString = paths.ConnectionString;
        }
    }

    public StorageProvider Provider { get; }

    /// <summary>Several nodes can share this storage.</summary>
    public bool IsShared => Provider == StorageProvider.PostgreSql;

    public string ConnectionString { get; }

    /// <summary>Where the database is, without secrets, for error messages and logs.</summary>
    public string Describe() => Provider == StorageProvider.Sqlite
        ? $"SQLite database at {_paths.DatabasePath}"
        : new NpgsqlConnectionStringBuilder(ConnectionString) is var b ? $"PostgreSQL database '{b.Database}' at {b.Host}:{b.Port}" : "";

    public void Configure(DbContextOptionsBuilder options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Provider == StorageProvider.PostgreSql)
        {
            options.UseNpgsql(ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }
    }

    /// <summary>The context that applies this provider's migrations (each provider has its own set).</summary>
    public ReplicationDbContext CreateMigrationContext()
    {
        if (Provider == StorageProvider.PostgreSql)
        {
            return new PostgreSqlMigrationContext(new DbContextOptionsBuilder<PostgreSqlMigrationContext>().UseNpgsql(ConnectionString).Options);
        }

        return new ReplicationDbContext(new DbContextOptionsBuilder<ReplicationDbContext>().UseSqlite(ConnectionString).Options);
    }

    public JobStorage CreateJobStorage(TimeSpan queuePollInterval, TimeSpan invisibilityTimeout)
    {
        if (Provider == StorageProvider.PostgreSql)
        {
            var options = new PostgreSqlStorageOptions
            {
                QueuePollInterval = queuePollInterval,
                InvisibilityTimeout = invisibilityTimeout,
                SchemaName = JobSchema,

                // Prepared by the DatabaseMigrator once the database passed its checks, not when the storage is made
                // (the dashboard makes it while the pipeline is built): a refused database is left as it was.
                PrepareSchemaIfNecessary = false,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(ConnectionString, options), options);
        }

        return new SQLiteStorage(Path.Combine(_paths.DataDirectory, HangfireFileName), new SQLiteStorageOptions
        {
            QueuePollInterval = queuePollInterval,
            InvisibilityTimeout = invisibilityTimeout,
        });
    }

    /// <summary>
    /// What the provider needs once the schema is migrated. SQLite: the write-ahead log (kept in the file once set), so
    /// pages and the API read while a run saves progress or retention prunes instead of waiting for each write to commit.
    /// PostgreSQL: Hangfire's tables, created or upgraded (SQLite's job storage prepares its own file).
    /// </summary>
    public async Task PrepareAsync(ReplicationDbContext migrated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(migrated);
        if (Provider == StorageProvider.Sqlite)
        {
            await migrated.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            return;
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        PostgreSqlObjectsInstaller.Install(connection, JobSchema);
    }

    /// <summary>SQLite: the key ring in the data directory. PostgreSQL: in the database, so every node reads every node's cookies and secrets.</summary>
    public IXmlRepository CreateKeyRepository(IServiceProvider services, ILoggerFactory loggerFactory) => Provider == StorageProvider.PostgreSql
        ? new EntityFrameworkCoreXmlRepository<ReplicationDbContext>(services, loggerFactory)
        : new FileSystemXmlRepository(new DirectoryInfo(_paths.KeysDirectory), loggerFactory);
}
