using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Security;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Boundary: passwords (sign-in form and HTTP Basic). Wrong passwords count per client address and end in 429 with
/// Retry-After; they never lock the account, so nobody can lock the administrator out from their own address.
/// </summary>
public sealed partial class SignInLimitTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    private const string Admin = AdminAppFactory.AdminUserName;
    private const string Password = AdminAppFactory.AdminPassword;

    [Fact]
    public async Task Wrong_basic_passwords_from_one_address_get_429_with_retry_after_and_the_administrator_still_gets_in_from_another()
    {
        const string attacker = "198.51.100.7";
        using var guesser = app.CreateClientFrom(attacker, Admin, "not-the-password");
        for (var attempt = 0; attempt < SecurityAppFactory.FailureLimit; attempt++)
        {
            using var wrong = await guesser.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await guesser.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // By design the right password from the refused address is refused too (else a 429 would not stop guessing):
        // the limit is per address, and the account stays open everywhere else.
        using var sameAddress = app.CreateClientFrom(attacker, Admin, Password);
        using var stillRefused = await sameAddress.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);

        using var administrator = app.CreateClientFrom("203.0.113.20", Admin, Password);
        using var api = await administrator.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var browser = app.CreateClientFrom("203.0.113.20", cookies: true);
        using var signedIn = await SignInAsync(browser, Admin, Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        await AssertNotLockedAsync(Admin);
    }

    [Fact]
    public async Task Seven_wrong_passwords_for_admin_no_longer_lock_the_account()
    {
        // The report, from two addresses so neither reaches its own limit first: the account must not care.
        foreach (var address in new[] { "198.51.100.21", "198.51.100.22", "198.51.100.21", "198.51.100.22", "198.51.100.21", "198.51.100.22", "198.51.100.23" })
        {
            using var guesser = app.CreateClientFrom(address, Admin, "Wrong-Passw0rd");
            using var response = await guesser.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await AssertNotLockedAsync(Admin);
        using var administrator = app.CreateClientFrom("203.0.113.21", Admin, Password);
        using var api = await administrator.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var browser = app.CreateClientFrom("203.0.113.21", cookies: true);
        using var signedIn = await SignInAsync(browser, Admin, Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var page = await browser.GetAsync("/rules");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_on_the_sign_in_page_count_against_the_address_too()
    {
        const string attacker = "198.51.100.30";
        using var browser = app.CreateClientFrom(attacker, cookies: true);
        for (var attempt = 0; attempt < SecurityAppFactory.FailureLimit; attempt++)
        {
            using var wrong = await SignInAsync(browser, Admin, $"wrong-{attempt}");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Wrong user name or password.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var refused = await SignInAsync(browser, Admin, Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many failed sign-ins from your network address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // One budget per address for passwords, wherever they are typed.
        using var api = app.CreateClientFrom(attacker, Admin, Password);
        using var apiRefused = await api.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, apiRefused.StatusCode);

        using var elsewhere = app.CreateClientFrom("203.0.113.30", cookies: true);
        using var signedIn = await SignInAsync(elsewhere, Admin, Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        await AssertNotLockedAsync(Admin);
    }

    [Fact]
    public async Task A_burst_of_wrong_passwords_sent_at_once_gets_no_more_guesses_than_the_limit()
    {
        const string attacker = "198.51.100.40";
        var user = "burst-" + Guid.NewGuid().ToString("N")[..6];
        await app.CreateUserAsync(user, "Burst-Passw0rd", Roles.Viewer);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var guesser = app.CreateClientFrom(attacker, user, $"Guess-{i}");
            using var response = await guesser.GetAsync("/api/v1/registries");
            return response.StatusCode;
        }));

        Assert.Equal(SecurityAppFactory.FailureLimit, answers.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(12 - SecurityAppFactory.FailureLimit, answers.Count(s => s == HttpStatusCode.TooManyRequests));
        var failures = (await RecentAsync()).Where(e => e.Who == user && e.Action == AuditActions.SignInFailure).ToList();
        Assert.Equal(SecurityAppFactory.FailureLimit, failures.Count);
    }

    [Fact]
    public async Task An_ipv6_host_cannot_dodge_the_limit_by_taking_a_new_address_in_its_64()
    {
        for (var host = 1; host <= SecurityAppFactory.FailureLimit; host++)
        {
            using var guesser = app.CreateClientFrom($"2001:db8:6:1::{host:x}", Admin, "Wrong-Passw0rd");
            using var wrong = await guesser.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var next = app.CreateClientFrom("2001:db8:6:1::ffff:1", Admin, "Wrong-Passw0rd");
        using var refused = await next.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        using var neighbour = app.CreateClientFrom("2001:db8:6:2::1", Admin, Password);
        using var allowed = await neighbour.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_forged_forwarded_for_header_does_not_move_the_failures_to_another_address()
    {
        // No trusted proxy is configured: X-Forwarded-For is the client's own words and changes nothing.
        for (var attempt = 0; attempt <= SecurityAppFactory.FailureLimit; attempt++)
        {
            using var guesser = app.CreateClientFrom("198.51.100.50", Admin, "Wrong-Passw0rd");
            guesser.DefaultRequestHeaders.Add("X-Forwarded-For", $"192.0.2.{attempt + 1}");
            using var response = await guesser.GetAsync("/api/v1/rules");
            Assert.Equal(attempt < SecurityAppFactory.FailureLimit ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, response.StatusCode);
        }
    }

    [Fact]
    public async Task Failures_and_the_refusal_that_follows_are_logged_and_audited_with_the_address_never_the_password()
    {
        const string attacker = "198.51.100.60";
        var user = "audited-" + Guid.NewGuid().ToString("N")[..6];
        const string guess = "Secret-Guess-42";
        for (var attempt = 0; attempt <= SecurityAppFactory.FailureLimit; attempt++)
        {
            using var guesser = app.CreateClientFrom(attacker, user, guess);
            using var response = await guesser.GetAsync("/api/v1/rules");
        }

        var entries = (await RecentAsync()).Where(e => e.Who == user).ToList();
        Assert.Equal(SecurityAppFactory.FailureLimit, entries.Count(e => e.Action == AuditActions.SignInFailure));
        var throttled = Assert.Single(entries, e => e.Action == AuditActions.SignInThrottled);
        Assert.Contains(attacker, throttled.Details, StringComparison.Ordinal);
        Assert.All(entries, e =>
        {
            Assert.Contains($"from {attacker}", e.Details, StringComparison.Ordinal);
            Assert.DoesNotContain(guess, e.Details + e.Target, StringComparison.Ordinal);
        });

        var lines = app.LogLines.Where(l => l.Contains(user, StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("Failed sign-in", StringComparison.Ordinal) && l.Contains(attacker, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Refused a sign-in", StringComparison.Ordinal) && l.Contains(attacker, StringComparison.Ordinal));
        Assert.DoesNotContain(app.LogLines, l => l.Contains(guess, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lockout_an_administrator_sets_still_holds_and_a_refused_check_of_it_costs_the_address_nothing()
    {
        var user = "locked-" + Guid.NewGuid().ToString("N")[..6];
        await app.CreateUserAsync(user, "Locked-Passw0rd", Roles.Viewer);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByNameAsync(user))!, DateTimeOffset.UtcNow.AddMinutes(5));
        }

        using var client = app.CreateClientFrom("198.51.100.70", user, "Locked-Passw0rd");
        for (var attempt = 0; attempt <= SecurityAppFactory.FailureLimit; attempt++)
        {
            using var response = await client.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    private async Task AssertNotLockedAsync(string userName)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await users.FindByNameAsync(userName))!;
        Assert.False(await users.IsLockedOutAsync(user));
        Assert.Equal(0, await users.GetAccessFailedCountAsync(user));
    }

    private async Task<IReadOnlyList<AuditEntry>> RecentAsync() => await app.Services.GetRequiredService<AuditLog>().RecentAsync(500);

    /// <summary>What a browser does: load the form (antiforgery cookie and token), then post it.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string userName, string password)
    {
        var form = await browser.GetStringAsync("/account/login");
        var token = Token().Match(form).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in form has no antiforgery token");
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

/// <summary>An address that used up its failures may try again once the window has passed.</summary>
public sealed class SignInWindowTests(SignInWindowTests.ShortWindowApp app) : IClassFixture<SignInWindowTests.ShortWindowApp>
{
    [Fact]
    public async Task After_the_window_the_address_may_sign_in_again()
    {
        using var guesser = app.CreateClientFrom("198.51.100.80", AdminAppFactory.AdminUserName, "Wrong-Passw0rd");
        using (var wrong = await guesser.GetAsync("/api/v1/rules"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var refused = await guesser.GetAsync("/api/v1/rules"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var administrator = app.CreateClientFrom("198.51.100.80", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        using var response = await administrator.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public sealed class ShortWindowApp : SecurityAppFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Security:FailedAttempts:Limit"] = "1",
            ["Security:FailedAttempts:Window"] = "00:00:01",
        };
    }
}
