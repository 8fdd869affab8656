using Microsoft.Playwright;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>One headless system Chromium for the test run (Playwright cannot download its own browser here).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppProcess.RepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <summary>A fresh context (cookies, storage) per test, at the size the product is designed for.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            ColorScheme = colorScheme,
        });
        // Actions wait up to this long for their element on a loaded machine; each returns as soon as it can act.
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "end-to-end";
}
