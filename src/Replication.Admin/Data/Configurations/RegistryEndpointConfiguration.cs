using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Replication.Admin.Registries;

namespace Replication.Admin.Data.Configurations;

public sealed class RegistryEndpointConfiguration : IEntityTypeConfiguration<RegistryEndpoint>
{
    public void Configure(EntityTypeBuilder<RegistryEndpoint> builder)
    {
        builder.ToTable("RegistryEndpoints");
        builder.Property(r => r.Name).HasMaxLength(RegistryEndpointValidator.NameMaxLength).UseCollation("NOCASE").IsRequired();
        builder.HasIndex(r => r.Name).IsUnique();
        builder.Property(r => r.Url).HasMaxLength(RegistryEndpointValidator.UrlMaxLength).IsRequired();
        builder.Property(r => r.Type).HasMaxLength(32).IsRequired();
        builder.Property(r => r.Kind).HasMaxLength(32).IsRequired().HasDefaultValue(RegistryKinds.Generic);
        builder.Property(r => r.Username).HasMaxLength(RegistryEndpointValidator.UsernameMaxLength);
        builder.Property(r => r.ProtectedPassword);
        builder.Property(r => r.CaCertificate).HasMaxLength(RegistryEndpointValidator.CaCertificateMaxLength);
        builder.Property(r => r.Description).HasMaxLength(RegistryEndpointValidator.DescriptionMaxLength).IsRequired();
        builder.Property(r => r.Status)
            .HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<RegistryStatus>(s, true))
            .HasMaxLength(16);
        builder.Property(r => r.LastCheckMessage).HasMaxLength(1000);
        builder.Property(r => r.WebhookSecretHash).HasMaxLength(256);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.UpdatedBy).HasMaxLength(256);
        builder.Ignore(r => r.CredentialKind);
    }
}
