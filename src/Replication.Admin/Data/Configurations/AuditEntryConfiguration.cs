using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Replication.Admin.Audit;

namespace Replication.Admin.Data.Configurations;

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.Property(e => e.Who).HasMaxLength(256).IsRequired();
        builder.Property(e => e.Action).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Target).HasMaxLength(512).IsRequired();
        builder.Property(e => e.Details).HasMaxLength(4000).IsRequired();
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => e.Action);
    }
}
