using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class RegistryKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "RegistryEndpoints",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "generic");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Kind",
                table: "RegistryEndpoints");
        }
    }
}
