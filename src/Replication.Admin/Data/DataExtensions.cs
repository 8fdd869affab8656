using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Hosting;

namespace Replication.Admin.Data;

public static class DataExtensions
{
    /// <summary>
    /// The database (SQLite in <c>Storage:DataDirectory</c>, or PostgreSQL shared by several nodes, see
    /// <see cref="ReplicationStorage"/>) and the Data Protection key ring, migrated at startup.
    /// </summary>
    public static WebApplicationBuilder AddReplicationData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        services.AddSingleton<StoragePaths>();
        services.AddSingleton<ReplicationStorage>();

        // Resolved lazily so a test host's configuration (a temporary data directory) is the one that counts.
        services.AddDbContextFactory<ReplicationDbContext>((provider, options) => provider.GetRequiredService<ReplicationStorage>().Configure(options));

        services.AddDataProtection().SetApplicationName("Replication.Admin");
        services.AddOptions<KeyManagementOptions>()
            .Configure<ReplicationStorage, IServiceProvider, ILoggerFactory>((options, storage, provider, loggerFactory) =>
                options.XmlRepository = storage.CreateKeyRepository(provider, loggerFactory));

        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<PostgreSqlProgressRelay>();
        services.AddSingleton<AuditLog>();
        return builder;
    }
}
