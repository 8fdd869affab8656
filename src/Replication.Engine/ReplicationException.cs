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

    /// <summary>Worth trying again later (the network or a registry was having a moment).</summary>
    public bool IsTransient { get; }
}
