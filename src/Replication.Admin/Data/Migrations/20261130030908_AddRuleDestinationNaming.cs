using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddRuleDestinationNaming : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DestinationPrefix",
                table: "ReplicationRules",
                type: "TEXT",
                maxLength: 255,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "FlattenLevels",
                table: "ReplicationRules",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DestinationPrefix",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "FlattenLevels",
                table: "ReplicationRules");
        }
    }
}
