using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ExecutionChangesAsJsonCollection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A full run had no changes (NULL); the collection holds none ([]). Event executions keep their array,
            // now checked by PostgreSQL as JSON (text has no implicit cast to jsonb, hence the USING).
            migrationBuilder.Sql("""
                UPDATE "Executions" SET "Changes" = '[]' WHERE "Changes" IS NULL;
                ALTER TABLE "Executions" ALTER COLUMN "Changes" TYPE jsonb USING "Changes"::jsonb;
                ALTER TABLE "Executions" ALTER COLUMN "Changes" SET NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE "Executions" ALTER COLUMN "Changes" DROP NOT NULL;
                ALTER TABLE "Executions" ALTER COLUMN "Changes" TYPE text USING "Changes"::text;
                UPDATE "Executions" SET "Changes" = NULL WHERE "Changes" = '[]';
                """);
        }
    }
}
