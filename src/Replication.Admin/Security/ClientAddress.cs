using System.Net;
using System.Net.Sockets;

namespace Replication.Admin.Security;

/// <summary>
/// The client address as the per-client limits and the audit trail name it. Behind a reverse proxy this is the proxy,
/// unless the proxy is listed in <c>Security:TrustedProxies</c> (then it is the address the proxy forwarded).
/// </summary>
public static class ClientAddress
{
    /// <summary>Shown and partitioned on when the connection has no IP address (in-process test hosts, Unix sockets).</summary>
    public const string Unknown = "unknown";

    /// <summary>The address as written in logs and audit entries.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Normalise(context.Connection.RemoteIpAddress)?.ToString() ?? Unknown;
    }

    /// <summary>
    /// What the limits count per: the IPv4 address, or the /64 network of an IPv6 address (one host often holds a whole
    /// /64 and can pick a fresh address for every attempt).
    /// </summary>
    public static string PartitionOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PartitionOf(context.Connection.RemoteIpAddress);
    }

    public static string PartitionOf(IPAddress? address)
    {
        address = Normalise(address);
        if (address is null)
        {
            return Unknown;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static IPAddress? Normalise(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
