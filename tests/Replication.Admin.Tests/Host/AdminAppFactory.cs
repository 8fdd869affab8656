using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Replication.Admin.Security;
using Replication.Admin.Tests.Infrastructure;

namespace Replication.Admin.Tests.Host;

/// <summary>
/// The real app in process, on a data directory of its own (SQLite database and key ring), with the first administrator
/// seeded from configuration. Log lines are kept so tests can read what the app printed.
/// </summary>
public class AdminAppFactory : WebApplicationFactory<Program>
{
    public const string AdminUserName = "admin";
    public const string AdminPassword = "Adm1nistrator-Pass";

    private readonly TempDirectory? ownedData;

    public AdminAppFactory()
        : this(null, AdminPassword)
    {
    }

    /// <param name="dataDirectory">Share a data directory between hosts (restart scenarios); null for a fresh one.</param>
    /// <param name="initialPassword">Admin:InitialPassword; null leaves it unset so the app generates one.</param>
    internal AdminAppFactory(string? dataDirectory, string? initialPassword)
    {
        if (dataDirectory is null)
        {
            ownedData = new TempDirectory();
            dataDirectory = ownedData.Path;
        }

        DataDirectory = dataDirectory;
        InitialPassword = initialPassword;
    }

    public string DataDirectory { get; }

    public string? InitialPassword { get; }

    public ConcurrentQueue<string> LogLines { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Admin:UserName", AdminUserName);
        builder.UseSetting("Admin:InitialPassword", InitialPassword ?? "");
        foreach (var (key, value) in TestStorage.SettingsFor(DataDirectory))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new CapturingLoggerProvider(LogLines));
        });
    }

    /// <summary>A client that neither follows redirects nor keeps cookies: what automation sees.</summary>
    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>A client that sends HTTP Basic for <paramref name="userName"/> on every request.</summary>
    public HttpClient CreateBasicClient(string userName = AdminUserName, string password = AdminPassword)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = BasicHeader(userName, password);
        return client;
    }

    public static AuthenticationHeaderValue BasicHeader(string userName, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}")));

    /// <summary>Adds an account through the same service the Users page uses.</summary>
    public async Task CreateUserAsync(string userName, string password, string role)
    {
        var accounts = Services.GetRequiredService<UserAccountService>();
        var result = await accounts.CreateAsync(userName, password, role, AdminUserName);
        Assert.True(result.Succeeded, result.Error);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            ownedData?.Dispose();
            TestStorage.Release(DataDirectory);
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
