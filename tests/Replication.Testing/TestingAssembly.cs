namespace Replication.Testing;

/// <summary>Marker for the shared fixtures assembly.</summary>
public static class TestingAssembly;
