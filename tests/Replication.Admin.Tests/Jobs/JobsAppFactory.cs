using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// The app in process with job pacing fit for tests: workers poll often, retries come seconds (not minutes) later and
/// the registry client gives up quickly on a registry that is down. <see cref="KestrelJobsAppFactory"/> listens on a
/// real loopback port, for registries that post notifications to it.
/// </summary>
public class JobsAppFactory : AdminAppFactory
{
    public JobsAppFactory()
    {
    }

    internal JobsAppFactory(string? dataDirectory)
        : base(dataDirectory, AdminPassword)
    {
    }

    /// <summary>Settings on top of the test defaults (a test class overrides what it needs).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    public static IReadOnlyDictionary<string, string> TestSettings { get; } = new Dictionary<string, string>
    {
        ["Replication:Jobs:QueuePollInterval"] = "00:00:00.200",
        ["Replication:Jobs:SchedulePollingInterval"] = "00:00:01",
        ["Replication:RetryDelays:0"] = "00:00:03",
        ["Replication:RetryDelays:1"] = "00:00:03",
        ["Replication:Engine:MaxTaskAttempts"] = "2",
        ["Replication:Engine:TaskRetryDelay"] = "00:00:00.100",
        ["Replication:Registry:MaxAttempts"] = "2",
        ["Replication:Registry:RetryBaseDelay"] = "00:00:00.050",
        ["Replication:Registry:MaxRetryDelay"] = "00:00:00.200",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in TestSettings.Concat(ExtraSettings))
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>The app on a real loopback port (Kestrel), so a real registry can post its notifications to it.</summary>
public class KestrelJobsAppFactory : JobsAppFactory
{
    public KestrelJobsAppFactory() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    /// <summary>The address Kestrel listens on (starts the server on first use).</summary>
    public Uri ServerUrl
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal)));
        }
    }

    /// <summary>A real HTTP client for the server, sending HTTP Basic for the administrator.</summary>
    public HttpClient CreateNetworkClient()
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = ServerUrl };
        client.DefaultRequestHeaders.Authorization = BasicHeader(AdminUserName, AdminPassword);
        return client;
    }
}
