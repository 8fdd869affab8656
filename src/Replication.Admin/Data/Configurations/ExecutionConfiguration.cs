using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Data.Configurations;

public sealed class ExecutionConfiguration : IEntityTypeConfiguration<Execution>
{
    private static readonly JsonSerializerOptions ChangeJson = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Execution> builder)
    {
        builder.ToTable("Executions");
        builder.Property(e => e.Trigger).HasConversion(t => t.ToApi(), t => Enum.Parse<ExecutionTrigger>(t, true)).HasMaxLength(16);
        builder.Property(e => e.Status).HasConversion(s => s.ToApi(), s => Enum.Parse<ExecutionStatus>(s, true)).HasMaxLength(16);
        builder.Property(e => e.TriggeredBy).HasMaxLength(256).IsRequired();
        builder.Property(e => e.Error).HasMaxLength(2000);
        builder.Ignore(e => e.IsFinished);
        builder.Ignore(e => e.RetryableTasks);

        // An event execution's source changes: one JSON array in a text column, in the camelCase names it always held.
        // A list of records is no primitive collection (as a rule's pattern lists are), and EF's JSON complex
        // collections lose an empty list on PostgreSQL (Npgsql 10), so EF converts it here, once, for both databases.
        // Full runs' rows hold NULL, as they always did: no schema change.
        builder.Property(e => e.Changes).HasConversion(
            changes => JsonSerializer.Serialize(changes, ChangeJson),
            json => JsonSerializer.Deserialize<List<SourceChange>>(json, ChangeJson) ?? new List<SourceChange>(),
            new ValueComparer<List<SourceChange>>(
                (a, b) => a!.SequenceEqual(b!),
                changes => changes.Aggregate(0, (hash, change) => HashCode.Combine(hash, change)),
                changes => changes.ToList()))
            .IsRequired(false);

        // Deleting a rule deletes its history; a retry outlives the pruning of its parent.
        builder.HasOne<ReplicationRule>().WithMany().HasForeignKey(e => e.RuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Execution>().WithMany().HasForeignKey(e => e.ParentExecutionId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(e => e.Tasks).WithOne().HasForeignKey(t => t.ExecutionId).OnDelete(DeleteBehavior.Cascade);

        // The dashboard: newest first, optionally by rule or status, paged on the server over 100,000 rows.
        builder.HasIndex(e => new { e.RuleId, e.Id }).IsDescending(false, true);
        builder.HasIndex(e => new { e.Status, e.Id }).IsDescending(false, true);
        builder.HasIndex(e => new { e.RuleId, e.Status, e.Id }).IsDescending(false, false, true);

        // Retention prunes by age.
        builder.HasIndex(e => e.CreatedAt);

        // One running execution per rule in the whole cluster: the database refuses a second one, whichever node asks.
        builder.Property(e => e.Node).HasMaxLength(128);
        builder.HasIndex(e => e.RuleId).IsUnique().HasFilter("\"Status\" = 'running'").HasDatabaseName("IX_Executions_OneRunningPerRule");
    }
}

public sealed class ExecutionTaskConfiguration : IEntityTypeConfiguration<ExecutionTask>
{
    public void Configure(EntityTypeBuilder<ExecutionTask> builder)
    {
        builder.ToTable("ExecutionTasks");
        builder.Property(t => t.Operation).HasConversion(o => o.ToString().ToLowerInvariant(), o => Enum.Parse<TaskOperation>(o, true)).HasMaxLength(16);
        builder.Property(t => t.Kind).HasConversion(k => k.ToString().ToLowerInvariant(), k => Enum.Parse<ArtifactKind>(k, true)).HasMaxLength(16);
        builder.Property(t => t.Status).HasConversion(s => s.ToApi(), s => Enum.Parse<ExecutionTaskStatus>(s, true)).HasMaxLength(16);
        builder.Property(t => t.SourceRepository).HasMaxLength(255).IsRequired();
        builder.Property(t => t.DestinationRepository).HasMaxLength(255).IsRequired();
        builder.Property(t => t.Tag).HasMaxLength(128).IsRequired();
        builder.Property(t => t.Digest).HasMaxLength(100);
        builder.Property(t => t.Error).HasMaxLength(2000);
        builder.Property(t => t.Log).HasMaxLength(ExecutionTask.LogMaxLength).IsRequired();
        builder.Ignore(t => t.IsFinished);
        builder.Ignore(t => t.SourceReference);
        builder.Ignore(t => t.DestinationReference);
        builder.HasIndex(t => new { t.ExecutionId, t.Status });

        // A page of an execution's tasks in plan order (skip 19,950 of 20,000) among millions of rows, on both providers.
        builder.HasIndex(t => new { t.ExecutionId, t.Id });
    }
}

public sealed class ReplicatedArtifactConfiguration : IEntityTypeConfiguration<ReplicatedArtifact>
{
    public void Configure(EntityTypeBuilder<ReplicatedArtifact> builder)
    {
        builder.ToTable("ReplicatedArtifacts");
        builder.Property(a => a.Repository).HasMaxLength(255).IsRequired();
        builder.Property(a => a.Tag).HasMaxLength(128).IsRequired();
        builder.Property(a => a.Digest).HasMaxLength(100).IsRequired();
        builder.Property(a => a.SourceDigest).HasMaxLength(100);
        builder.HasOne<ReplicationRule>().WithMany().HasForeignKey(a => a.RuleId).OnDelete(DeleteBehavior.Cascade);

        // One record per destination tag and rule; deletions look records up by tag or by digest.
        builder.HasIndex(a => new { a.RuleId, a.Repository, a.Tag }).IsUnique();
        builder.HasIndex(a => new { a.RuleId, a.Repository, a.Digest });
    }
}
