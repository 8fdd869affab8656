using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddRuleTagVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "NewestTags",
                table: "ReplicationRules",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SemverRange",
                table: "ReplicationRules",
                type: "TEXT",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NewestTags",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "SemverRange",
                table: "ReplicationRules");
        }
    }
}
