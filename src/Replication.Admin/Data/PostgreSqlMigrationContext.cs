using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Replication.Admin.Data;

/// <summary>
/// The same model as <see cref="ReplicationDbContext"/>, typed apart so PostgreSQL's migrations (in
/// <c>Data/Migrations/PostgreSql</c>) are found for it and SQLite's for the base type. Only the migrator uses it.
/// </summary>
public sealed class PostgreSqlMigrationContext(DbContextOptions<PostgreSqlMigrationContext> options) : ReplicationDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context PostgreSqlMigrationContext</c> build the model without a server.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlMigrationContext>
{
    public PostgreSqlMigrationContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlMigrationContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
