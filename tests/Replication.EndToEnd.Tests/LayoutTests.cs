using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Replication.Testing.App;

namespace Replication.EndToEnd.Tests;

/// <summary>
/// Every page at a desktop (1400x900) and a phone (390x844) size, light and dark: nothing may stick out of its card or
/// the window sideways, no card may hide a table behind a sideways scroll, and every action button must be in view.
/// The data is made long on purpose: a 64-character rule name, a failed execution with its error.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LayoutTests(BrowserFixture browser) : IAsyncLifetime
{
    // What the browser measures: each problem as one line naming the element.
    private const string FindProblems = """
        () => {
          const problems = [];
          const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).slice(0, 3).join('.') : '')
            + ' "' + (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 40).replace(/\s+/g, ' ') + '"';
          const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth > width + 1) problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
          for (const card of document.querySelectorAll('.ra-page .mud-paper, .ra-page .ra-card')) {
            if (!visible(card)) continue;
            const box = card.getBoundingClientRect();
            for (const t of card.querySelectorAll('table')) {
              const w = Math.max(t.scrollWidth, t.getBoundingClientRect().width);
              if (visible(t) && w > box.width + 1) problems.push(`${name(t)} is ${Math.round(w)}px wide in a ${Math.round(box.width)}px card`);
            }
            for (const e of card.querySelectorAll('*')) {
              if (!visible(e) || e.closest('.mud-popover, .mud-tooltip')) continue;
              const s = getComputedStyle(e);
              if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1 && !e.matches('.ra-log, textarea, input'))
                problems.push(`${name(e)} scrolls sideways: ${e.scrollWidth}px in ${e.clientWidth}px`);
              const r = e.getBoundingClientRect();
              let clipped = false;
              for (let p = e.parentElement; p && p !== card; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o !== 'visible') { clipped = true; break; } }
              if (!clipped && (r.right > box.right + 1 || r.left < box.left - 1)) problems.push(`${name(e)} sticks out of its card: ${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(box.left)}..${Math.round(box.right)}`);
            }
          }
          for (const b of document.querySelectorAll('.ra-page button, .ra-page a.mud-button-root')) {
            if (!visible(b) || b.closest('.mud-popover')) continue;
            const r = b.getBoundingClientRect();
            if (r.left < -1 || r.right > width + 1) problems.push(`${name(b)} is out of view: ${Math.round(r.left)}..${Math.round(r.right)} in 0..${width}`);
          }
          return [...new Set(problems)].slice(0, 25);
        }
        """;

    private static readonly string[] RepositoryPatterns = ["app*", "tools/**"];
    private static readonly string[] ExcludedRepositories = ["*-test"];
    private static readonly string[] TagPatterns = ["v*"];
    private static readonly string[] ExcludedTags = ["*-rc*"];

    private AppProcess app = null!;

    public async Task InitializeAsync() => app = await AppProcess.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Every_page_fits_a_desktop_and_a_phone_in_light_and_dark()
    {
        var (ruleId, registryId, executionId) = await SetUpAsync();
        var page = await browser.NewPageAsync(app.Url);
        await SignIn.AsAdministratorAsync(page);
        string[] paths =
        [
            "/", "/rules", $"/rules/{ruleId}", "/registries", $"/registries/{registryId}/browse", $"/executions/{executionId}",
            "/audit", "/users", "/tokens", "/notifications", "/account/password",
        ];

        var problems = new List<string>();
        foreach (var (width, height, size) in new[] { (1400, 900, "wide"), (390, 844, "phone") })
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                var theme = scheme == ColorScheme.Dark ? "dark" : "light";
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                await page.Context.AddCookiesAsync([new Cookie { Name = "ra-theme", Value = theme, Url = app.Url.ToString() }]);
                foreach (var path in paths)
                {
                    if (path.StartsWith("/account/", StringComparison.Ordinal))
                    {
                        await page.GotoAsync(path); // a static form page: nothing goes live
                    }
                    else
                    {
                        await SignIn.GoToAsync(page, path);
                    }

                    await Assertions.Expect(page.Locator(".mud-progress-linear-indeterminate, .mud-table-loading-progress")).ToHaveCountAsync(0);
                    var name = path.Trim('/').Replace('/', '-') is { Length: > 0 } n ? n : "dashboard";
                    await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "layout", $"{name}-{size}-{theme}.png"), FullPage = true });
                    problems.AddRange((await page.EvaluateAsync<string[]>(FindProblems)).Select(p => $"{path} at {width}px {theme}: {p}"));
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct()));
    }

    /// <summary>Through the API: two registries that cannot be reached, a rule with the longest name allowed, and its failed run.</summary>
    private async Task<(int Rule, int Registry, long Execution)> SetUpAsync()
    {
        using var api = new HttpClient { BaseAddress = app.Url };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));
        var source = await PostForIdAsync(api, "/api/v1/registries", new { name = "unreachable-source-registry-with-a-long-name", url = "http://127.0.0.1:9", type = "docker-registry", description = "Nothing listens here, so every run fails" });
        var destination = await PostForIdAsync(api, "/api/v1/registries", new { name = "mirror", url = "http://127.0.0.1:10", type = "docker-registry" });
        var rule = await PostForIdAsync(api, "/api/v1/rules", new
        {
            name = "nightly-mirror-of-every-team-image-into-the-disaster-recovery-re",
            description = "Copies every tag of every repository in the team project to the disaster recovery registry every night",
            sourceRegistryId = source,
            sourceProject = "team",
            repositories = new { include = RepositoryPatterns, exclude = ExcludedRepositories },
            tags = new { include = TagPatterns, exclude = ExcludedTags },
            destinationRegistryId = destination,
            destinationProject = "team-mirror",
            trigger = new { mode = "scheduled", cron = "0 2 * * *" },
            @override = true,
            includeReferrers = true,
            enabled = true,
        });
        using var run = await api.PostAsync($"/api/v1/rules/{rule}/executions", null);
        Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        var execution = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        // Wait for the run to end (a connection refused fails it at once), so the pages show a finished execution with its error.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while ((await api.GetFromJsonAsync<JsonElement>($"/api/v1/executions/{execution}")).GetProperty("finishedAt").ValueKind == JsonValueKind.Null)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Execution {execution} did not finish within a minute.");
            await Task.Delay(200);
        }

        return (rule, source, execution);
    }

    private static async Task<int> PostForIdAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }
}
