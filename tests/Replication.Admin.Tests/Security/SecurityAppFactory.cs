using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// The app in process with small limits, where a test chooses the client address of each request: TestServer has no
/// remote address, so a startup filter puts the one named in <see cref="ClientAddressHeader"/> on the connection
/// (before the app's own pipeline sees it, as a network would).
/// </summary>
public class SecurityAppFactory : AdminAppFactory
{
    /// <summary>Test-only request header read by the startup filter; never part of the product.</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    /// <summary>Failed passwords (or webhook secrets) one address may send per window in these tests.</summary>
    public const int FailureLimit = 3;

    /// <summary>API body limit in these tests.</summary>
    public const int ApiBodyLimit = 16 * 1024;

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Security:FailedAttempts:Limit"] = FailureLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Security:FailedAttempts:Window"] = "00:10:00",
        ["Api:MaxBodyBytes"] = ApiBodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, ClientAddressFilter>());
    }

    /// <summary>A client whose requests come from <paramref name="address"/>, without cookies or redirects.</summary>
    public HttpClient CreateClientFrom(string address, string? userName = null, string? password = null, bool cookies = false)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = cookies });
        client.DefaultRequestHeaders.Add(ClientAddressHeader, address);
        if (userName is not null)
        {
            client.DefaultRequestHeaders.Authorization = BasicHeader(userName, password ?? "");
        }

        return client;
    }

    /// <summary>An HTTPS client for a host name HSTS is sent to (localhost never gets it).</summary>
    public HttpClient CreateHttpsClient(string host) =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri($"https://{host}/") });

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
