using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Security;
using Replication.Admin.Tests.Infrastructure;

namespace Replication.Admin.Tests.Host;

public sealed partial class FirstAdministratorTests
{
    [Fact]
    public async Task The_configured_password_creates_the_first_administrator()
    {
        using var app = new AdminAppFactory();
        using var client = app.CreateBasicClient();

        using var response = await client.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var account = Assert.Single(await app.Services.GetRequiredService<UserAccountService>().ListAsync());
        Assert.Equal((AdminAppFactory.AdminUserName, Roles.Administrator), (account.UserName, account.Role));
        Assert.DoesNotContain(app.LogLines, line => line.Contains(AdminAppFactory.AdminPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_configured_password_one_is_generated_and_logged_once()
    {
        using var app = new AdminAppFactory(dataDirectory: null, initialPassword: null);
        using var warmUp = app.CreateAnonymousClient();
        using var _ = await warmUp.GetAsync("/account/login");

        var banner = app.LogLines.Where(l => l.Contains("generated password", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(banner);
        var password = GeneratedPassword().Match(line).Groups[1].Value;
        Assert.Equal(20, password.Length);

        using var client = app.CreateBasicClient(AdminAppFactory.AdminUserName, password);
        using var response = await client.GetAsync("/api/v1/registries");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_existing_account_is_never_replaced_at_the_next_start()
    {
        using var data = new TempDirectory();
        using (var first = new AdminAppFactory(data.Path, "First-Passw0rd"))
        {
            using var client = first.CreateBasicClient(AdminAppFactory.AdminUserName, "First-Passw0rd");
            using var ok = await client.GetAsync("/api/v1/registries");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var second = new AdminAppFactory(data.Path, "Second-Passw0rd");
        using var withSecond = second.CreateBasicClient(AdminAppFactory.AdminUserName, "Second-Passw0rd");
        using var withFirst = second.CreateBasicClient(AdminAppFactory.AdminUserName, "First-Passw0rd");

        using var refused = await withSecond.GetAsync("/api/v1/registries");
        using var accepted = await withFirst.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(await second.Services.GetRequiredService<UserAccountService>().ListAsync());
        Assert.DoesNotContain(second.LogLines, l => l.Contains("generated password", StringComparison.Ordinal));
    }

    [Fact]
    public void A_configured_password_that_breaks_the_rules_stops_the_start_with_the_rule_named()
    {
        using var app = new AdminAppFactory(dataDirectory: null, initialPassword: "weak");

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateAnonymousClient());

        var message = failure is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[0].Message : failure.Message;
        Assert.Contains("Admin:InitialPassword", message, StringComparison.Ordinal);
        Assert.DoesNotContain("'weak'", message, StringComparison.Ordinal);
    }

    [GeneratedRegex("generated password: (\\S+)")]
    private static partial Regex GeneratedPassword();
}
