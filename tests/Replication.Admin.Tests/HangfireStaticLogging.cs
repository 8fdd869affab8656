using System.Runtime.CompilerServices;

namespace Replication.Admin.Tests;

/// <summary>
/// Hangfire.Storage.SQLite's distributed lock takes its logger in a static constructor, from whichever test host set
/// Hangfire's global log provider last; if that host is already disposed the type can never be initialised again and
/// every later host fails. Initialising it once before any host exists gives it Hangfire's default logger.
/// </summary>
internal static class HangfireStaticLogging
{
    [ModuleInitializer]
    internal static void InitialiseBeforeAnyHost() =>
        RuntimeHelpers.RunClassConstructor(typeof(Hangfire.Storage.SQLite.SQLiteDistributedLock).TypeHandle);
}
