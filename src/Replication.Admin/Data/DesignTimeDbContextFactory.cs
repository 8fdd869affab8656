using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Replication.Admin.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ReplicationDbContext>
{
    public ReplicationDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ReplicationDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .Options;
        return new ReplicationDbContext(options);
    }
}
