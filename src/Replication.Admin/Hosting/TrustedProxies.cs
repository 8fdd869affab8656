using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Replication.Admin.Hosting;

/// <summary>
/// <c>Security:TrustedProxies</c>: reverse proxies (addresses or CIDR networks) whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. Empty (the default): nobody's, so a client cannot pick the address its failed
/// sign-ins are counted against, nor claim HTTPS.
/// </summary>
public static class TrustedProxies
{
    public const string ConfigurationKey = "Security:TrustedProxies";

    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var proxies = builder.Configuration.GetSection(ConfigurationKey).Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()))
            {
                if (proxy.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(proxy, out var network))
                {
                    options.KnownIPNetworks.Add(network);
                }
                else if (IPAddress.TryParse(proxy, out var address))
                {
                    options.KnownProxies.Add(address);
                }
                else
                {
                    throw new InvalidOperationException($"{ConfigurationKey} has '{proxy}', which is neither an IP address nor a CIDR network such as 10.0.0.0/8.");
                }
            }
        });
        return builder;
    }

    /// <summary>Believes the forwarded headers of the configured proxies; does nothing when none is configured.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetSection(ConfigurationKey).Get<string[]>()?.Any(p => !string.IsNullOrWhiteSpace(p)) == true;
        return configured ? app.UseForwardedHeaders() : app;
    }
}
