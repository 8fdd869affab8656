using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Security;

namespace Replication.Admin.Tests.Host;

public sealed partial class SignInTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task Signing_in_sets_the_cookie_and_returns_to_the_page_asked_for()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword, "/registries");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/registries", PathOf(response));
        using var page = await browser.GetAsync("/registries");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("New Registry", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(await RecentAsync(), e => e.Action == AuditActions.SignInSuccess && e.Who == AdminAppFactory.AdminUserName);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword, "//evil.example.com/");

        Assert.Equal("http://localhost/", new Uri(new Uri("http://localhost/"), response.Headers.Location!).ToString());
    }

    [Fact]
    public async Task A_wrong_password_shows_a_message_and_is_audited()
    {
        await app.CreateUserAsync("wrongpw", "Wrongpw-Passw0rd", Roles.Viewer);
        using var browser = Browser();

        using var response = await SignInAsync(browser, "wrongpw", "not-it", "/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong user name or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        var failure = Assert.Single(await RecentAsync(), e => e.Action == AuditActions.SignInFailure && e.Who == "wrongpw");
        Assert.DoesNotContain("not-it", failure.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failures_leave_the_account_open_to_the_right_password()
    {
        // Failures count per client address (Security/SignInLimitTests), never against the account: else anyone could
        // lock an administrator out.
        await app.CreateUserAsync("lockme", "Lockme-Passw0rd", Roles.Viewer);
        using var browser = Browser();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await SignInAsync(browser, "lockme", $"wrong-{attempt}", "/");
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var signedIn = await SignInAsync(browser, "lockme", "Lockme-Passw0rd", "/");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        using var api = app.CreateBasicClient("lockme", "Lockme-Passw0rd");
        using var allowed = await api.GetAsync("/api/v1/registries");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        var account = (await app.Services.GetRequiredService<UserAccountService>().ListAsync()).Single(a => a.UserName == "lockme");
        Assert.Null(account.LockedOutUntil);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword, "/");
        var page = await browser.GetStringAsync("/");
        var token = Token().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the page has no sign-out form token");

        using var signOut = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/account/login", PathOf(signOut));
        using var after = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Signing_out_without_the_form_token_is_refused()
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword, "/");

        using var forged = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using var still = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task A_viewer_is_sent_to_access_denied_for_the_users_page()
    {
        await app.CreateUserAsync("pagesviewer", "Pages-Viewer-1", Roles.Viewer);
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, "pagesviewer", "Pages-Viewer-1", "/");

        using var users = await browser.GetAsync("/users");
        using var registries = await browser.GetAsync("/registries");

        Assert.Equal(HttpStatusCode.Redirect, users.StatusCode);
        Assert.StartsWith("http://localhost/account/access-denied", users.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, registries.StatusCode);
        Assert.DoesNotContain("New Registry", await registries.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string PathOf(HttpResponseMessage response) => new Uri(new Uri("http://localhost/"), response.Headers.Location!).PathAndQuery;

    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>What a browser does: load the form (antiforgery cookie and token), then post it.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string userName, string password, string returnUrl)
    {
        var form = await browser.GetStringAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        var token = Token().Match(form).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in form has no antiforgery token");
        return await browser.PostAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        }));
    }

    private async Task<IReadOnlyList<AuditEntry>> RecentAsync() => await app.Services.GetRequiredService<AuditLog>().RecentAsync(500);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
