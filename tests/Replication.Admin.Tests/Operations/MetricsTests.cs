using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Executions;
using Replication.Admin.Operations;
using Replication.Admin.Tests.Host;
using Replication.Admin.Tests.Security;

namespace Replication.Admin.Tests.Operations;

/// <summary><c>/metrics</c>: Prometheus text that promtool accepts, with the series the README lists; anonymous from loopback only.</summary>
public sealed class MetricsTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    [Fact]
    public async Task Metrics_are_open_to_the_machine_itself_and_need_an_account_from_elsewhere()
    {
        using var local = app.CreateClientFrom("127.0.0.1");
        using var remote = app.CreateClientFrom("192.0.2.80");
        using var remoteWithAccount = app.CreateClientFrom("192.0.2.81", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);

        using var fromLocal = await local.GetAsync("/metrics");
        using var fromRemote = await remote.GetAsync("/metrics");
        using var fromRemoteWithAccount = await remoteWithAccount.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, fromLocal.StatusCode);
        Assert.StartsWith("text/plain", fromLocal.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.True(fromRemote.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect, $"a stranger got {(int)fromRemote.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, fromRemoteWithAccount.StatusCode);
    }

    [Fact]
    public async Task A_remote_prometheus_scrapes_with_a_viewer_api_token()
    {
        var created = await app.Services.GetRequiredService<Replication.Admin.Security.Tokens.ApiTokenService>()
            .CreateAsync("prometheus-" + Guid.NewGuid().ToString("N")[..6], "Viewer", DateTimeOffset.UtcNow.AddDays(1), "admin");
        using var scraper = app.CreateClientFrom("192.0.2.82");
        scraper.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Created!.Token);

        using var response = await scraper.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_exposition_passes_promtool_and_carries_every_documented_series()
    {
        // Registry traffic: a registry on a closed port is checked once saved (requests by status "error").
        using var admin = app.CreateClientFrom("203.0.113.90", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "metrics-" + Guid.NewGuid().ToString("N")[..6], url = $"http://127.0.0.1:{Notifications.LocalReceiver.FreePort()}", type = "docker-registry" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // An outcome, as the executions module reports it after its commit.
        var metrics = app.Services.GetRequiredService<ReplicationMetrics>();
        var outcome = new ExecutionOutcome(1, 424242, ExecutionStatus.PartiallyFailed, ExecutionTrigger.Manual, "admin", 2, 1, 0, 12345, TimeSpan.FromSeconds(3), null, ["registry unreachable: connection refused"]);
        await metrics.OnOutcomeAsync(outcome, CancellationToken.None);
        await metrics.SampleAsync(CancellationToken.None);

        using var local = app.CreateClientFrom("127.0.0.1");
        var text = "";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!text.Contains("replication_registry_requests_total", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no registry request series in time:\n" + text);
            await Task.Delay(100);
            text = await local.GetStringAsync("/metrics");
        }

        foreach (var series in new[]
        {
            "replication_transferred_bytes_total{", "replication_executions_total{", "replication_task_failures_total{",
            "replication_execution_duration_seconds_bucket{", "replication_registry_requests_total{", "replication_registry_request_duration_seconds_bucket{",
            "replication_executions_queued", "replication_executions_running", "replication_rule_consecutive_failures{",
        })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }

        Assert.Contains("outcome=\"partiallyFailed\"", text, StringComparison.Ordinal);
        Assert.Contains("cause=\"network\"", text, StringComparison.Ordinal);
        Assert.Contains("status_code=\"error\"", text, StringComparison.Ordinal);
        Assert.Contains("} 12345", text, StringComparison.Ordinal);
        Assert.Matches(@"replication_rule_consecutive_failures\{[^}]*rule=""#424242""[^}]*\} 1", text);

        var (exit, output) = await PromtoolAsync(text);
        Assert.True(exit == 0, $"promtool check metrics said ({exit}):\n{output}");
    }

    private static async Task<(int Exit, string Output)> PromtoolAsync(string exposition)
    {
        var promtool = File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : "promtool";
        var start = new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"promtool is missing ({exception.Message}): run scripts/install-test-deps.sh (Debian package prometheus)");
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(exposition);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
    }
}
