using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddRulePlatformsAndRecordSourceDigest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Platforms",
                table: "ReplicationRules",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "SourceDigest",
                table: "ReplicatedArtifacts",
                type: "TEXT",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Platforms",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "SourceDigest",
                table: "ReplicatedArtifacts");
        }
    }
}
