using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// An administrator clicks Replicate on a rule and watches it on the dashboard: real registries (the source behind a
/// proxy that slows blob downloads so the run can be watched), registries and the rule created through the API.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReplicateFlowTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Images = 10;
    private const string Project = "team";
    private const string RuleName = "team-mirror";

    private RegistryProcess source = null!;
    private RegistryProcess destination = null!;
    private FaultProxy slowSource = null!;
    private AppProcess app = null!;

    public async Task InitializeAsync()
    {
        source = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        destination = await RegistryProcess.StartAsync(RegistryOptions.Anonymous);
        slowSource = await FaultProxy.StartAsync(source);
        using (var client = new OciTestClient(source))
        {
            for (var i = 0; i < Images; i++)
            {
                await client.PushImageAsync($"{Project}/app{i}", "v1", ImageSpec.WithLayers(seed: 100 + (i * 10), 768 << 10, 512 << 10, 256 << 10));
            }
        }

        // One artifact at a time, each blob download a second late: a run of about ten seconds to watch.
        slowSource.Delay(RequestMatch.BlobGet, TimeSpan.FromSeconds(1));
        app = await AppProcess.StartAsync(new Dictionary<string, string>
        {
            ["Replication:Engine:MaxParallelArtifacts"] = "1",
            ["Replication:Jobs:QueuePollInterval"] = "00:00:00.200",
        });
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await slowSource.DisposeAsync();
        await source.DisposeAsync();
        await destination.DisposeAsync();
    }

    [Fact]
    public async Task Replicate_shows_live_progress_until_Succeeded_and_the_execution_page_lists_the_tasks()
    {
        var ruleId = await CreateRuleThroughApiAsync();
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        await SignIn.GoToAsync(page, "/rules");

        // Replicate, and time how long until the page shows the run (the rule's last execution cell, fed by the notifier).
        var cell = page.Locator($".ra-rule-last[data-rule='{ruleId}']");
        await Assertions.Expect(cell).ToContainTextAsync("Never ran");
        await page.EvaluateAsync(TimingProbe, ruleId);
        var clock = Stopwatch.StartNew();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Replicate {RuleName}" }).ClickAsync();
        await Assertions.Expect(cell).Not.ToHaveAttributeAsync("data-status", "", new() { Timeout = 10_000 });
        await Assertions.Expect(cell).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("started");
        var timing = await page.EvaluateAsync<double[]>("() => [window.__raTiming.first - window.__raTiming.click, window.__raTiming.running - window.__raTiming.click]");
        output.WriteLine($"Replicate click -> first update on screen: {timing[0]:0} ms; -> running on screen: {timing[1]:0} ms (browser clock)");
        await SignIn.ScreenshotAsync(page, "rules-running-light");

        // The dashboard: a running row whose progress bar moves.
        await SignIn.GoToAsync(page, "/");
        var row = page.Locator(".ra-executions tbody tr").First;
        await Assertions.Expect(row.Locator(".ra-status")).ToHaveAttributeAsync("data-status", "running");
        var progress = row.Locator(".ra-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-artifacts-total", Images.ToString(CultureInfo.InvariantCulture), new() { Timeout = 20_000 });
        var before = await BytesDoneAsync(progress);
        await WaitUntilAsync(async () => await BytesDoneAsync(progress) > before, TimeSpan.FromSeconds(20), "the bytes bar never moved");
        var later = await BytesDoneAsync(progress);
        await WaitUntilAsync(async () => await BytesDoneAsync(progress) > later, TimeSpan.FromSeconds(20), "the bytes bar stopped moving");
        output.WriteLine($"Bytes bar: {before} -> {later} -> {await BytesDoneAsync(progress)}");
        await Assertions.Expect(page.Locator("[data-tile='running'] .ra-tile-value")).ToHaveTextAsync("1");
        await SignIn.ScreenshotAsync(page, "dashboard-running-light");
        await ToggleThemeAsync(page, dark: true);
        await Assertions.Expect(row.Locator(".ra-status")).ToHaveAttributeAsync("data-status", "running");
        await SignIn.ScreenshotAsync(page, "dashboard-running-dark");

        // A live update changes the row in place: its link stays the element a click lands on.
        var link = await row.Locator("a").First.ElementHandleAsync();
        var shown = await BytesDoneAsync(progress);
        await WaitUntilAsync(async () => await BytesDoneAsync(progress) > shown, TimeSpan.FromSeconds(20), "the bytes bar stopped moving");
        Assert.True(await link.EvaluateAsync<bool>("a => a.isConnected"), "a live update replaced the row's link (a click arriving with an update would be lost)");

        // The execution page while it runs: the live log tail and Stop; then the end arrives without a reload.
        await row.Locator("a").First.ClickAsync();
        await page.WaitForURLAsync("**/executions/*");
        await SignIn.WaitUntilInteractiveAsync(page);
        var header = page.Locator(".ra-execution-title .ra-status");
        await Assertions.Expect(header).ToHaveAttributeAsync("data-status", "running");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".ra-log")).ToContainTextAsync("Copying");
        await Assertions.Expect(page.Locator(".ra-tasks .ra-task-status[data-status='running']")).Not.ToHaveCountAsync(0);
        await SignIn.ScreenshotAsync(page, "execution-running-dark");

        await Assertions.Expect(header).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });
        output.WriteLine($"Replicate click -> Succeeded on screen: {clock.Elapsed.TotalSeconds:0.0} s");
        var tasks = page.Locator(".ra-tasks tbody tr");
        await Assertions.Expect(tasks).ToHaveCountAsync(Images);
        await Assertions.Expect(page.Locator(".ra-tasks .ra-task-status[data-status='succeeded']")).ToHaveCountAsync(Images);
        await Assertions.Expect(page.Locator("[data-fact='Artifacts'] .ra-fact-value")).ToHaveTextAsync($"{Images} / {Images}");
        await Assertions.Expect(page.Locator(".ra-log")).ToContainTextAsync("Copied");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry failed" })).ToHaveCountAsync(0);
        await SignIn.ScreenshotAsync(page, "execution-dark");
        await ToggleThemeAsync(page, dark: false);
        await SignIn.ScreenshotAsync(page, "execution-light");

        // Back on the dashboard (a fresh load reads what was saved): Succeeded, every artifact replicated.
        await SignIn.GoToAsync(page, "/");
        await Assertions.Expect(row.Locator(".ra-status")).ToHaveAttributeAsync("data-status", "succeeded");
        await Assertions.Expect(row).ToContainTextAsync($"{Images} replicated");
        await Assertions.Expect(page.Locator("[data-tile='succeeded'] .ra-tile-value")).ToHaveTextAsync("1");

        // What the screen said is what the destination holds.
        using var check = new OciTestClient(destination);
        using var sourceCheck = new OciTestClient(source);
        for (var i = 0; i < Images; i++)
        {
            Assert.Equal(await sourceCheck.GetManifestDigestAsync($"{Project}/app{i}", "v1"), await check.GetManifestDigestAsync($"{Project}/app{i}", "v1"));
        }
    }

    // Records, with the browser's clock, the click on Replicate and the first changes of the rule's last execution cell.
    private const string TimingProbe = """
        ruleId => {
          const timing = window.__raTiming = { click: 0, first: 0, running: 0 };
          document.addEventListener('click', e => {
            if (!timing.click && e.target.closest('button.ra-replicate')) timing.click = performance.now();
          }, true);
          new MutationObserver(() => {
            const status = document.querySelector(`.ra-rule-last[data-rule='${ruleId}']`)?.dataset.status;
            if (timing.click && status && !timing.first) timing.first = performance.now();
            if (timing.click && status === 'running' && !timing.running) timing.running = performance.now();
          }).observe(document.body, { subtree: true, attributes: true, childList: true });
        }
        """;

    private async Task<int> CreateRuleThroughApiAsync()
    {
        using var api = new AdminApi(app.Url);
        return await api.CreateRuleAsync(RuleName, slowSource.Url, destination.Url, Project);
    }

    internal static async Task<long> BytesDoneAsync(ILocator progress) =>
        long.Parse(await progress.GetAttributeAsync("data-bytes-done") ?? "0", CultureInfo.InvariantCulture);

    private static async Task ToggleThemeAsync(IPage page, bool dark)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle light or dark theme" }).ClickAsync();
        var test = dark ? "r + g + b < 200" : "r + g + b > 600";
        await page.WaitForFunctionAsync(
            $"() => {{ const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number); return {test}; }}");

        // Away from the toggle, so neither its tooltip nor its focus ring is in the screenshots.
        await page.Mouse.MoveAsync(5, 890);
        await page.EvaluateAsync("() => document.activeElement?.blur()");
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, failure);
            await Task.Delay(100);
        }
    }
}
