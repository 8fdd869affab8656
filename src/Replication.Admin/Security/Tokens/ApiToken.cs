using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Replication.Admin.Security.Tokens;

/// <summary>
/// An API token for automation (Harbor's robot accounts): a name, a role and an expiry of its own, independent of the
/// account that made it. Only the SHA-256 hash of the token is stored; the token is shown once, when it is created.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary><see cref="Roles.Administrator"/> or <see cref="Roles.Viewer"/>.</summary>
    public required string Role { get; set; }

    /// <summary>"sha256:" and the hex of the token's hash.</summary>
    public required string TokenHash { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>Updated at most once a minute, so a polling client does not write on every call.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public override string ToString() => $"ApiToken {{ Id = {Id}, Name = {Name}, Role = {Role} }}";
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.HasIndex(t => t.Name).IsUnique();
        builder.Property(t => t.Role).HasMaxLength(32);
        builder.Property(t => t.TokenHash).HasMaxLength(80);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.CreatedBy).HasMaxLength(256);
    }
}
