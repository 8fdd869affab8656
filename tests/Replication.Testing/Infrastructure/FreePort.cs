using System.Net;
using System.Net.Sockets;

namespace Replication.Testing;

/// <summary>Finds a loopback TCP port nobody listens on right now.</summary>
public static class FreePort
{
    /// <summary>A port free at the moment of asking (another process may take it later).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
