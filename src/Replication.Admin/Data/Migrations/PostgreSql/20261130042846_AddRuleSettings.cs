using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Replication.Admin.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddRuleSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BandwidthLimitKiBps",
                table: "ReplicationRules",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DestinationPrefix",
                table: "ReplicationRules",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "FlattenLevels",
                table: "ReplicationRules",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "NewestTags",
                table: "ReplicationRules",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "Platforms",
                table: "ReplicationRules",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<string>(
                name: "SemverRange",
                table: "ReplicationRules",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceDigest",
                table: "ReplicatedArtifacts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BandwidthLimitKiBps",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "DestinationPrefix",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "FlattenLevels",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "NewestTags",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "Platforms",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "SemverRange",
                table: "ReplicationRules");

            migrationBuilder.DropColumn(
                name: "SourceDigest",
                table: "ReplicatedArtifacts");
        }
    }
}
