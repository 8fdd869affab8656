using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExecutionChangesAsJsonCollection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A full run had no changes (NULL); the collection holds none ([]). Event executions keep their array as is.
            migrationBuilder.Sql("UPDATE \"Executions\" SET \"Changes\" = '[]' WHERE \"Changes\" IS NULL;");
            migrationBuilder.AlterColumn<string>(
                name: "Changes",
                table: "Executions",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Changes",
                table: "Executions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");
            migrationBuilder.Sql("UPDATE \"Executions\" SET \"Changes\" = NULL WHERE \"Changes\" = '[]';");
        }
    }
}
