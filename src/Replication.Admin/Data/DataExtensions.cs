using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Hosting;

namespace Replication.Admin.Data;

public static class DataExtensions
{
    /// <summary>SQLite database and Data Protection key ring in <c>Storage:DataDirectory</c>, migrated at startup.</summary>
    public static WebApplicationBuilder AddReplicationData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        services.AddSingleton<StoragePaths>();

        // Resolved lazily so a test host's configuration (a temporary data directory) is the one that counts.
        services.AddDbContextFactory<ReplicationDbContext>((provider, options) =>
            options.UseSqlite(provider.GetRequiredService<StoragePaths>().ConnectionString));

        services.AddDataProtection().SetApplicationName("Replication.Admin");
        services.AddOptions<KeyManagementOptions>()
            .Configure<StoragePaths, ILoggerFactory>((options, paths, loggerFactory) =>
                options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(paths.KeysDirectory), loggerFactory));

        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<AuditLog>();
        return builder;
    }
}
