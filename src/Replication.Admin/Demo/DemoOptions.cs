namespace Replication.Admin.Demo;

/// <summary>
/// Configuration section <c>Demo</c>: a ready-to-try setup for newcomers. <c>scripts/run.sh</c> turns it on
/// (<c>--no-demo</c> turns it off); a plain <c>dotnet run</c> or a published app leaves it off unless configured.
/// </summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary><c>Demo:Enabled</c>: start two local registries with sample images and a sample rule (default off).</summary>
    public bool Enabled { get; set; }

    /// <summary><c>Demo:SourcePort</c>: loopback port of demo-source; 0 reuses the last one, else picks a free one.</summary>
    public int SourcePort { get; set; }

    /// <summary><c>Demo:DestinationPort</c>: loopback port of demo-destination; 0 reuses the last one, else picks a free one.</summary>
    public int DestinationPort { get; set; }

    /// <summary><c>Demo:RegistryBinary</c>: the CNCF distribution binary; empty looks for <c>docker-registry</c> (Debian) or <c>registry</c> on the PATH.</summary>
    public string? RegistryBinary { get; set; }
}
