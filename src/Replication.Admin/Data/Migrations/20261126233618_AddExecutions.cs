using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

// Generated: descending-index flags are literal arrays, run once per migration.
#pragma warning disable CA1861

namespace Replication.Admin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddExecutions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Executions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RuleId = table.Column<int>(type: "INTEGER", nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TriggeredBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Succeeded = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    UpToDate = table.Column<int>(type: "INTEGER", nullable: false),
                    BytesTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    BytesDone = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RetryAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ParentExecutionId = table.Column<long>(type: "INTEGER", nullable: true),
                    RetryNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Planned = table.Column<bool>(type: "INTEGER", nullable: false),
                    Resumes = table.Column<int>(type: "INTEGER", nullable: false),
                    StopRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    Changes = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Executions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Executions_Executions_ParentExecutionId",
                        column: x => x.ParentExecutionId,
                        principalTable: "Executions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Executions_ReplicationRules_RuleId",
                        column: x => x.RuleId,
                        principalTable: "ReplicationRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReplicatedArtifacts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RuleId = table.Column<int>(type: "INTEGER", nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ReplicatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExecutionId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplicatedArtifacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReplicatedArtifacts_ReplicationRules_RuleId",
                        column: x => x.RuleId,
                        principalTable: "ReplicationRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ExecutionTasks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExecutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Operation = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SourceRepository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    DestinationRepository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    BytesTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    BytesDone = table.Column<long>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    IsTransient = table.Column<bool>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Log = table.Column<string>(type: "TEXT", maxLength: 16000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExecutionTasks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ExecutionTasks_Executions_ExecutionId",
                        column: x => x.ExecutionId,
                        principalTable: "Executions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ExecutionTasks_ExecutionId_Status",
                table: "ExecutionTasks",
                columns: new[] { "ExecutionId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Executions_CreatedAt",
                table: "Executions",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Executions_ParentExecutionId",
                table: "Executions",
                column: "ParentExecutionId");

            migrationBuilder.CreateIndex(
                name: "IX_Executions_RuleId_Id",
                table: "Executions",
                columns: new[] { "RuleId", "Id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "IX_Executions_RuleId_Status_Id",
                table: "Executions",
                columns: new[] { "RuleId", "Status", "Id" },
                descending: new[] { false, false, true });

            migrationBuilder.CreateIndex(
                name: "IX_Executions_Status_Id",
                table: "Executions",
                columns: new[] { "Status", "Id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "IX_ReplicatedArtifacts_RuleId_Repository_Digest",
                table: "ReplicatedArtifacts",
                columns: new[] { "RuleId", "Repository", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_ReplicatedArtifacts_RuleId_Repository_Tag",
                table: "ReplicatedArtifacts",
                columns: new[] { "RuleId", "Repository", "Tag" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ExecutionTasks");

            migrationBuilder.DropTable(
                name: "ReplicatedArtifacts");

            migrationBuilder.DropTable(
                name: "Executions");
        }
    }
}
