using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Replication.Testing.App;
using Replication.Testing.Images;

namespace Replication.EndToEnd.Tests;

/// <summary>The demo a newcomer gets from scripts/run.sh: two local registries with sample images and a rule, ready to replicate.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DemoTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_demo_registers_two_registries_with_sample_images_and_a_rule_and_ends_with_the_app()
    {
        string sourceUrl;
        string destinationUrl;
        await using (var app = await AppProcess.StartAsync(new Dictionary<string, string> { ["Demo:Enabled"] = "true" }))
        {
            using var api = new HttpClient { BaseAddress = app.Url };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AppProcess.AdminUserName}:{AppProcess.AdminPassword}")));

            // The demo sets itself up in the background; the rule is its last step.
            var rules = await WaitForAsync(api, "/api/v1/rules", items => items.Any(r => r.GetProperty("name").GetString() == "demo-mirror"), app);
            var registries = (await api.GetFromJsonAsync<JsonElement[]>("/api/v1/registries"))!;
            var source = registries.Single(r => r.GetProperty("name").GetString() == "demo-source");
            var destination = registries.Single(r => r.GetProperty("name").GetString() == "demo-destination");
            sourceUrl = source.GetProperty("url").GetString()!;
            destinationUrl = destination.GetProperty("url").GetString()!;
            var rule = rules.Single(r => r.GetProperty("name").GetString() == "demo-mirror");
            Assert.Equal(source.GetProperty("id").GetInt32(), rule.GetProperty("sourceRegistryId").GetInt32());
            Assert.Equal(destination.GetProperty("id").GetInt32(), rule.GetProperty("destinationRegistryId").GetInt32());
            Assert.Equal("demo", rule.GetProperty("sourceProject").GetString());
            Assert.Equal("manual", rule.GetProperty("trigger").GetProperty("mode").GetString());

            // The banner follows the rule's creation; the process's output may arrive a moment after the API answers.
            var banner = Stopwatch.StartNew();
            while (!app.Output.Contains("DEMO READY", StringComparison.Ordinal))
            {
                Assert.True(banner.Elapsed < TimeSpan.FromSeconds(15), $"No DEMO READY banner 15 s after the demo rule existed:\n{app.Output}");
                await Task.Delay(100);
            }

            using var sourceClient = new OciTestClient(sourceUrl);
            Assert.Equal(["demo/alpine", "demo/nginx", "demo/redis", "demo/tools/busybox"], (await sourceClient.ListRepositoriesAsync()).Order());
            Assert.Equal(["3.19", "3.20", "latest"], (await sourceClient.ListTagsAsync("demo/alpine")).Order());
            var index = await sourceClient.GetManifestAsync("demo/alpine", "3.20");
            Assert.Equal("application/vnd.oci.image.index.v1+json", index!.MediaType);
            Assert.Equal(2, JsonDocument.Parse(index.Bytes).RootElement.GetProperty("manifests").GetArrayLength());
            using var destinationClient = new OciTestClient(destinationUrl);
            Assert.Empty(await destinationClient.ListRepositoriesAsync());

            // What the newcomer does next: sign in, Replicate, and the samples arrive.
            var page = await browser.NewPageAsync(app.Url);
            await SignIn.AsAdministratorAsync(page);
            await SignIn.GoToAsync(page, "/rules");
            await page.GetByRole(AriaRole.Button, new() { Name = "Replicate demo-mirror" }).ClickAsync();
            var last = page.Locator($".ra-rule-last[data-rule='{rule.GetProperty("id").GetInt32()}']");
            await Assertions.Expect(last).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });
            Assert.Equal(["demo/alpine", "demo/nginx", "demo/redis", "demo/tools/busybox"], (await destinationClient.ListRepositoriesAsync()).Order());
            Assert.Equal(await sourceClient.GetManifestDigestAsync("demo/alpine", "3.20"), await destinationClient.GetManifestDigestAsync("demo/alpine", "3.20"));

            // The source registry's webhook: a secret shown once and the configuration to paste.
            await SignIn.GoToAsync(page, "/registries");
            await page.GetByRole(AriaRole.Button, new() { Name = "Webhook for demo-source" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Generate secret" }).ClickAsync();
            var secret = (await dialog.Locator("[data-testid='webhook-secret']").InnerTextAsync()).Trim();
            var yaml = dialog.Locator("[data-testid='notifications-yaml']");
            await Assertions.Expect(yaml).ToContainTextAsync($"url: {app.Url.ToString().TrimEnd('/')}/api/v1/events/{source.GetProperty("id").GetInt32()}");
            await Assertions.Expect(yaml).ToContainTextAsync($"Authorization: [Bearer {secret}]");
            await page.Mouse.MoveAsync(5, 890);
            await SignIn.ScreenshotAsync(page, "registries-webhook-light");
        }

        // The app is gone, and its demo registries with it (a killed child may take a moment to let go of its port).
        await StopsAnsweringAsync(sourceUrl);
        await StopsAnsweringAsync(destinationUrl);
    }

    private static async Task StopsAnsweringAsync(string registryUrl)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(new Uri(registryUrl), "/v2/"));
            }
            catch (HttpRequestException)
            {
                return;
            }
            catch (TaskCanceledException)
            {
                // Accepted the connection but did not answer: still there, dying.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"The demo registry {registryUrl} still answers 15 s after the app stopped.");
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement[]> WaitForAsync(HttpClient api, string path, Func<JsonElement[], bool> ready, AppProcess app)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var items = (await api.GetFromJsonAsync<JsonElement[]>(path))!;
            if (ready(items))
            {
                return items;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"The demo was not ready within 60 s:\n{app.Output}");
            await Task.Delay(200);
        }
    }
}
