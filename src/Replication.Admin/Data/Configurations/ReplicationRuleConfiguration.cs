using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Replication.Admin.Rules;

namespace Replication.Admin.Data.Configurations;

public sealed class ReplicationRuleConfiguration : IEntityTypeConfiguration<ReplicationRule>
{
    public void Configure(EntityTypeBuilder<ReplicationRule> builder)
    {
        builder.ToTable("ReplicationRules");
        builder.Property(r => r.Name).HasMaxLength(ReplicationRuleValidator.NameMaxLength).UseCollation("NOCASE").IsRequired();
        builder.HasIndex(r => r.Name).IsUnique();
        builder.Property(r => r.Description).HasMaxLength(ReplicationRuleValidator.DescriptionMaxLength).IsRequired();
        builder.Property(r => r.SourceProject).HasMaxLength(ReplicationRuleValidator.ProjectMaxLength).IsRequired();
        builder.Property(r => r.DestinationProject).HasMaxLength(ReplicationRuleValidator.ProjectMaxLength).IsRequired();
        builder.Property(r => r.SemverRange).HasMaxLength(ReplicationRuleValidator.SemverMaxLength);
        builder.Property(r => r.DestinationPrefix).HasMaxLength(ReplicationRuleValidator.RepositoryMaxLength).IsRequired();

        // Pattern and name lists are JSON arrays in TEXT columns: read and written whole, never queried element by element.
        builder.PrimitiveCollection(r => r.IncludeRepositories).IsRequired();
        builder.PrimitiveCollection(r => r.ExcludeRepositories).IsRequired();
        builder.PrimitiveCollection(r => r.RepositoryNames).IsRequired();
        builder.PrimitiveCollection(r => r.IncludeTags).IsRequired();
        builder.PrimitiveCollection(r => r.ExcludeTags).IsRequired();
        builder.PrimitiveCollection(r => r.Platforms).IsRequired();

        builder.Property(r => r.TriggerMode)
            .HasConversion(m => m.ToString().ToLowerInvariant(), m => Enum.Parse<TriggerMode>(m, true))
            .HasMaxLength(16);
        builder.Property(r => r.Cron).HasMaxLength(ReplicationRuleValidator.CronMaxLength);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.UpdatedBy).HasMaxLength(256);
        builder.Ignore(r => r.EffectiveDestinationProject);

        // A registry in use cannot be deleted: RegistryService asks first and names the rules; the database refuses as a backstop.
        builder.HasOne(r => r.SourceRegistry).WithMany().HasForeignKey(r => r.SourceRegistryId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.DestinationRegistry).WithMany().HasForeignKey(r => r.DestinationRegistryId).OnDelete(DeleteBehavior.Restrict);
    }
}
