using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Replication.Admin.Audit;
using Replication.Admin.Executions;
using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Data;

/// <summary>The app's database: Identity's accounts and roles plus everything the administrator configures.</summary>
public class ReplicationDbContext : IdentityDbContext, IDataProtectionKeyContext
{
    public ReplicationDbContext(DbContextOptions<ReplicationDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="PostgreSqlMigrationContext"/>: the same model under another type.</summary>
    protected ReplicationDbContext(DbContextOptions options)
        : base(options)
    {
    }

    private const string CaseInsensitive = "case_insensitive";

    /// <summary>The Data Protection key ring when several nodes share the database (PostgreSQL).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<RegistryEndpoint> RegistryEndpoints => Set<RegistryEndpoint>();

    public DbSet<ReplicationRule> ReplicationRules => Set<ReplicationRule>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Execution> Executions => Set<Execution>();

    public DbSet<ExecutionTask> ExecutionTasks => Set<ExecutionTask>();

    public DbSet<ReplicatedArtifact> ReplicatedArtifacts => Set<ReplicatedArtifact>();

    public DbSet<Security.Tokens.ApiToken> ApiTokens => Set<Security.Tokens.ApiToken>();

    public DbSet<Notifications.NotificationChannel> NotificationChannels => Set<Notifications.NotificationChannel>();

    public DbSet<Notifications.NotificationDelivery> NotificationDeliveries => Set<Notifications.NotificationDelivery>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ReplicationDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            // Names are unique regardless of case: SQLite's NOCASE, PostgreSQL's nondeterministic ICU collation.
            builder.HasCollation(CaseInsensitive, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
            builder.Entity<RegistryEndpoint>().Property(r => r.Name).UseCollation(CaseInsensitive);
            builder.Entity<ReplicationRule>().Property(r => r.Name).UseCollation(CaseInsensitive);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite cannot order or compare DateTimeOffset stored as text; a sortable integer can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
