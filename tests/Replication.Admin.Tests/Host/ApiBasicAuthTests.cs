using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Replication.Admin.Security;

namespace Replication.Admin.Tests.Host;

/// <summary>HTTP Basic for automation: the password hash runs once a minute per account, not on every call.</summary>
public sealed class ApiBasicAuthTests(ApiBasicAuthTests.CountingApp app) : IClassFixture<ApiBasicAuthTests.CountingApp>
{
    [Fact]
    public async Task Polling_the_API_checks_the_password_once_and_a_changed_password_is_refused_at_once()
    {
        const string userName = "poller";
        await app.CreateUserAsync(userName, "Poller-Passw0rd", Roles.Viewer);
        using var client = app.CreateBasicClient(userName, "Poller-Passw0rd");
        var before = app.Checks.Of(userName);

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/api/v1/registries");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, app.Checks.Of(userName) - before);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var user = (await users.FindByNameAsync(userName))!;
            Assert.True((await users.ChangePasswordAsync(user, "Poller-Passw0rd", "Poller-Passw0rd-2")).Succeeded);
        }

        using var old = await client.GetAsync("/api/v1/registries");
        using var renewed = app.CreateBasicClient(userName, "Poller-Passw0rd-2");
        using var current = await renewed.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task A_locked_account_is_refused_even_with_a_password_that_checked_out_a_moment_ago()
    {
        const string userName = "lockedpoller";
        await app.CreateUserAsync(userName, "Locked-Passw0rd", Roles.Viewer);
        using var client = app.CreateBasicClient(userName, "Locked-Passw0rd");
        using (var first = await client.GetAsync("/api/v1/registries"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var user = (await users.FindByNameAsync(userName))!;
            await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddMinutes(5));
        }

        using var locked = await client.GetAsync("/api/v1/registries");

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
    }

    /// <summary>The app with the real password hasher, counted per account.</summary>
    public sealed class CountingApp : AdminAppFactory
    {
        public PasswordChecks Checks { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddScoped<IPasswordHasher<IdentityUser>>(sp =>
                new CountingHasher(new PasswordHasher<IdentityUser>(sp.GetService<IOptions<PasswordHasherOptions>>()), Checks)));
        }
    }

    public sealed class PasswordChecks
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int Of(string userName) => _counts.GetValueOrDefault(userName);

        public void Count(string userName) => _counts.AddOrUpdate(userName, 1, (_, n) => n + 1);
    }

    private sealed class CountingHasher(PasswordHasher<IdentityUser> inner, PasswordChecks checks) : IPasswordHasher<IdentityUser>
    {
        public string HashPassword(IdentityUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(IdentityUser user, string hashedPassword, string providedPassword)
        {
            checks.Count(user.UserName!);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
