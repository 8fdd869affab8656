using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddBytesTransferred : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BytesTransferred",
                table: "Executions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "BytesTransferred",
                table: "ExecutionTasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BytesTransferred",
                table: "Executions");

            migrationBuilder.DropColumn(
                name: "BytesTransferred",
                table: "ExecutionTasks");
        }
    }
}
