using Microsoft.Data.Sqlite;
using Npgsql;
using Replication.Testing.App;
using Replication.Testing.Databases;
using Replication.Testing;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// A node with storage it cannot use stops at start, before it serves anything, with one line that says what to fix and
/// exit code 1: never a half-started node, never a stack trace for the administrator to decode.
/// </summary>
public sealed class StorageRefusalTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task An_unknown_storage_provider_stops_the_node_and_names_the_known_ones()
    {
        var (exitCode, output) = await AppProcess.StartExpectingRefusalAsync(new Dictionary<string, string> { ["Storage:Provider"] = "Oracle" }, Limit);

        Assert.Equal(1, exitCode);
        Assert.Contains("Replication Admin cannot start: Storage:Provider 'Oracle' is not known. Use 'Sqlite'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_stops_the_node_and_says_where_it_looked()
    {
        // A loopback port nothing listens on.
        var port = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Replication"] = $"Host=127.0.0.1;Port={port};Database=replication;Username=replication;Password=never-printed-9;Timeout=3",
        };

        var (exitCode, output) = await AppProcess.StartExpectingRefusalAsync(settings, Limit);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Replication Admin cannot start: The PostgreSQL database 'replication' at 127.0.0.1:{port} cannot be used", output, StringComparison.Ordinal);
        Assert.Contains("Check Storage:Provider and ConnectionStrings:Replication.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("never-printed-9", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_version_stops_the_node_and_changes_nothing()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync("newer");
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                CREATE TABLE "__EFMigrationsHistory" ("MigrationId" varchar(150) PRIMARY KEY, "ProductVersion" varchar(32) NOT NULL);
                INSERT INTO "__EFMigrationsHistory" VALUES ('29991231000000_FromAFutureVersion', '99.0.0');
                """,
                connection);
            await command.ExecuteNonQueryAsync();
        }

        var (exitCode, output) = await AppProcess.StartExpectingRefusalAsync(
            new Dictionary<string, string> { ["Storage:Provider"] = "PostgreSql", ["ConnectionStrings:Replication"] = database },
            Limit);

        Assert.Equal(1, exitCode);
        Assert.Contains("Replication Admin cannot start: The PostgreSQL database", output, StringComparison.Ordinal);
        Assert.Contains("was migrated by a newer version of Replication Admin (migration 29991231000000_FromAFutureVersion)", output, StringComparison.Ordinal);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", connection);
            Assert.Equal(1L, await tables.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task A_database_file_migrated_by_a_newer_version_stops_the_node()
    {
        var data = Directory.CreateTempSubdirectory("replication-newer-").FullName;
        try
        {
            var file = Path.Combine(data, "replication.db");
            await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
                    INSERT INTO "__EFMigrationsHistory" VALUES ('29991231000000_FromAFutureVersion', '99.0.0');
                    """;
                await command.ExecuteNonQueryAsync();
            }

            var (exitCode, output) = await AppProcess.StartExpectingRefusalAsync(new Dictionary<string, string> { ["Storage:DataDirectory"] = data }, Limit);

            Assert.Equal(1, exitCode);
            Assert.Contains($"Replication Admin cannot start: The SQLite database at {file} was migrated by a newer version of Replication Admin (migration 29991231000000_FromAFutureVersion)", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
