using System.Net;
using Replication.Admin.Security;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Jobs;

/// <summary><c>/hangfire</c> is for administrators only.</summary>
public sealed class HangfireDashboardTests(JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task Administrators_see_the_dashboard_viewers_and_anonymous_users_are_refused()
    {
        using var anonymous = app.CreateAnonymousClient();
        using var anonymousResponse = await anonymous.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, anonymousResponse.StatusCode);
        Assert.StartsWith("/account/login", anonymousResponse.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var viewerName = "hf-viewer-" + Guid.NewGuid().ToString("N")[..6];
        await app.CreateUserAsync(viewerName, "Viewer-Passw0rd", Roles.Viewer);
        using var viewer = app.CreateBasicClient(viewerName, "Viewer-Passw0rd");
        using var viewerResponse = await viewer.GetAsync("/hangfire");
        Assert.True(viewerResponse.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"viewer got {viewerResponse.StatusCode}");
        Assert.DoesNotContain("Recurring Jobs", await viewerResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var viewerApi = await viewer.GetAsync("/hangfire/stats");
        Assert.NotEqual(HttpStatusCode.OK, viewerApi.StatusCode);

        using var admin = app.CreateBasicClient(AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        using var adminResponse = await admin.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, adminResponse.StatusCode);
        Assert.Contains("executions:prune", await adminResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
