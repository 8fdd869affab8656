namespace Replication.Engine;

/// <summary>Replication could not go on, for a reason an administrator can read in <see cref="Exception.Message"/>.</summary>
public sealed class ReplicationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplicationException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public ReplicationException()
        : this("Replication failed.", false)
    {
    }

    /// <summary>Creates a permanent failure with a message.</summary>
    public ReplicationException(string message)
        : this(message, false)
    {
    }

    /// <summary>Creates a permanent failure with a message and a cause.</summary>
    public ReplicationException(string message, Exception innerException)
        : this(message, false, innerException)
    {
    }

    /// <summary>Worth trying again later (the network or a registry was having a moment).</summary>
    public bool IsTransient { get; }
}
