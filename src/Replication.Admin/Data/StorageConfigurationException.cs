namespace Replication.Admin.Data;

/// <summary>
/// The storage settings cannot work (unknown provider, no connection string, a database that cannot be reached or was
/// migrated by a newer version). The node stops before it serves anything; the message says what to fix.
/// </summary>
#pragma warning disable CA1032 // Thrown only with a message that says what to fix; the other constructors would invite messages that do not.
public sealed class StorageConfigurationException(string message, Exception? innerException = null)
    : InvalidOperationException(message, innerException)
{
    /// <summary>The storage failure behind a start failure, however deep the host wrapped it.</summary>
    public static StorageConfigurationException? Find(Exception? exception) => exception switch
    {
        null => null,
        StorageConfigurationException storage => storage,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(found => found is not null),
        _ => Find(exception.InnerException),
    };
}
#pragma warning restore CA1032
