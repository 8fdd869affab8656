namespace Replication.Engine;

/// <summary>Marker for the engine assembly: what a replication rule means, independent of storage and UI.</summary>
public static class EngineAssembly;
