using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Security;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Boundaries: browsers and automation. Every route, enumerated from the app's endpoints, refuses anonymous callers
/// unless it is on the documented allow-list, and every route that changes something refuses a Viewer.
/// </summary>
public sealed class RouteBoundaryTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    private const string ViewerPassword = "Viewer-Passw0rd-1";

    [Fact]
    public void Only_the_routes_on_the_allow_list_are_open_to_anonymous_callers()
    {
        var open = Routes.Of(app.Services).Where(r => r.IsAnonymous).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();

        // Both ways: a newly opened route fails here until it is listed, and a listed route that is gone is unlisted.
        Assert.Equal(Routes.AnonymousByDesign.Keys.Order(StringComparer.Ordinal), open);
    }

    [Fact]
    public async Task Every_other_route_refuses_an_anonymous_call()
    {
        using var anonymous = app.CreateClientFrom("192.0.2.10");
        var routes = Routes.Of(app.Services).Where(r => !r.IsAnonymous).ToList();
        Assert.True(routes.Count > 20, $"only {routes.Count} routes found");
        var answered = new List<string>();
        foreach (var route in routes)
        {
            foreach (var method in route.MethodsToTry)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), route.SamplePath);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = route.SampleBody();
                }

                using var response = await anonymous.SendAsync(request);
                var refused = response.StatusCode == HttpStatusCode.Unauthorized
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/login", StringComparison.Ordinal));
                if (!refused)
                {
                    answered.Add($"{method} {route.SamplePath} ({route.Key}) answered {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(answered.Count == 0, "answered anonymous callers:\n" + string.Join("\n", answered));
    }

    [Fact]
    public void Every_api_route_that_changes_something_is_for_administrators()
    {
        var changing = Routes.Of(app.Services)
            .Where(r => r.IsApi && !r.IsAnonymous && r.Methods.Any(m => m is not ("GET" or "HEAD")) && !Routes.ForEveryAccount.ContainsKey(r.Key))
            .ToList();

        Assert.NotEmpty(changing);
        Assert.All(changing, route => Assert.True(route.RequiresAdministrator, $"{route.Key} does not require the Administrator policy"));
    }

    [Fact]
    public async Task A_viewer_is_refused_every_administrators_route_and_each_refusal_is_audited_with_the_address()
    {
        const string address = "192.0.2.20";
        var viewer = "viewer-" + Guid.NewGuid().ToString("N")[..6];
        await app.CreateUserAsync(viewer, ViewerPassword, Roles.Viewer);
        using var client = app.CreateClientFrom(address, viewer, ViewerPassword);
        var routes = Routes.Of(app.Services).Where(r => r.RequiresAdministrator).ToList();
        Assert.Contains(routes, r => r.Pattern == "/users");
        Assert.Contains(routes, r => r.Pattern.StartsWith("/hangfire", StringComparison.Ordinal));
        var allowed = new List<string>();
        var refusals = 0;
        foreach (var route in routes)
        {
            foreach (var method in route.MethodsToTry)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), route.SamplePath);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = route.SampleBody();
                }

                using var response = await client.SendAsync(request);
                refusals++;
                var refused = response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal));
                if (!refused)
                {
                    allowed.Add($"{method} {route.SamplePath} ({route.Key}) answered {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(allowed.Count == 0, "a viewer got through:\n" + string.Join("\n", allowed));
        var audited = (await app.Services.GetRequiredService<AuditLog>().RecentAsync(1000)).Where(e => e.Who == viewer && e.Action == AuditActions.AccessDenied).ToList();
        Assert.Equal(refusals, audited.Count);
        Assert.All(audited, e => Assert.EndsWith($"from {address}", e.Details, StringComparison.Ordinal));
        Assert.Contains(audited, e => e.Target == "DELETE /api/v1/registries/1");
        Assert.Contains(app.LogLines, l => l.Contains($"to {viewer} from {address}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_callers_are_not_audited_only_refused()
    {
        var latest = await app.Services.GetRequiredService<AuditLog>().RecentAsync(1);
        var before = latest.Count > 0 ? latest[0].Id : 0;
        using var anonymous = app.CreateClientFrom("192.0.2.30");

        using var response = await anonymous.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(await app.Services.GetRequiredService<AuditLog>().RecentAsync(50), e => e.Id > before && e.Details.Contains("192.0.2.30", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_administrator_gets_through_where_a_viewer_is_refused()
    {
        using var admin = app.CreateClientFrom("192.0.2.40", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);

        using var users = await admin.GetAsync("/users");
        using var hangfire = await admin.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hangfire.StatusCode);
    }
}
