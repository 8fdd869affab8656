using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddReplicationRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReplicationRules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, collation: "NOCASE"),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    SourceRegistryId = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceProject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    IncludeRepositories = table.Column<string>(type: "TEXT", nullable: false),
                    ExcludeRepositories = table.Column<string>(type: "TEXT", nullable: false),
                    IncludeTags = table.Column<string>(type: "TEXT", nullable: false),
                    ExcludeTags = table.Column<string>(type: "TEXT", nullable: false),
                    DestinationRegistryId = table.Column<int>(type: "INTEGER", nullable: false),
                    DestinationProject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    TriggerMode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Cron = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ReplicateDeletions = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReplicateExisting = table.Column<bool>(type: "INTEGER", nullable: false),
                    Override = table.Column<bool>(type: "INTEGER", nullable: false),
                    IncludeReferrers = table.Column<bool>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplicationRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReplicationRules_RegistryEndpoints_DestinationRegistryId",
                        column: x => x.DestinationRegistryId,
                        principalTable: "RegistryEndpoints",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReplicationRules_RegistryEndpoints_SourceRegistryId",
                        column: x => x.SourceRegistryId,
                        principalTable: "RegistryEndpoints",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReplicationRules_DestinationRegistryId",
                table: "ReplicationRules",
                column: "DestinationRegistryId");

            migrationBuilder.CreateIndex(
                name: "IX_ReplicationRules_Name",
                table: "ReplicationRules",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReplicationRules_SourceRegistryId",
                table: "ReplicationRules",
                column: "SourceRegistryId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReplicationRules");
        }
    }
}
