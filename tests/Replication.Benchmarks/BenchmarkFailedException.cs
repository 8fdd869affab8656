namespace Replication.Benchmarks;

/// <summary>A scenario did not do what it must (wrong copy, failed tool, lost process): the run is worthless and exits non-zero.</summary>
public sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException()
    {
    }

    public BenchmarkFailedException(string message)
        : base(message)
    {
    }

    public BenchmarkFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
