using System.Collections.Concurrent;
using Replication.Testing.Databases;

namespace Replication.Admin.Tests.Infrastructure;

/// <summary>
/// Which storage the in-process hosts use: SQLite in their data directory by default, or a database of their own on a
/// throwaway PostgreSQL server when <c>REPLICATION_TEST_STORAGE=PostgreSql</c> (scripts/test.sh runs the host and job
/// tests a second time that way). Tests that are about SQLite itself carry <c>[Trait("Storage", "Sqlite")]</c>.
/// </summary>
public static class TestStorage
{
    public const string Variable = "REPLICATION_TEST_STORAGE";

    private static readonly ConcurrentDictionary<string, string> Databases = new(StringComparer.Ordinal);

    public static bool IsPostgreSql => string.Equals(Environment.GetEnvironmentVariable(Variable), "PostgreSql", StringComparison.OrdinalIgnoreCase);

    /// <summary>A host is gone: its idle connections go too (hosts sharing its data directory reopen them).</summary>
    public static void Release(string dataDirectory)
    {
        if (Databases.TryGetValue(dataDirectory, out var connectionString))
        {
            Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(connectionString));
        }
    }

    /// <summary>The settings that point a host at its storage; hosts sharing a data directory share a database.</summary>
    public static IReadOnlyDictionary<string, string> SettingsFor(string dataDirectory)
    {
        if (!IsPostgreSql)
        {
            return new Dictionary<string, string> { ["Storage:Provider"] = "Sqlite" };
        }

        var connectionString = Databases.GetOrAdd(dataDirectory, _ => Task.Run(async () => await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("app")).GetAwaiter().GetResult());
        return new Dictionary<string, string>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Replication"] = connectionString,
        };
    }
}
