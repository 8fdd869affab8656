using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Security;
using Replication.Admin.Tests.Security;

namespace Replication.Admin.Tests.Accounts;

/// <summary>Own password change for everyone; reset and unlock of others for administrators; all audited.</summary>
public sealed class PasswordTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>
{
    private const string Admin = Host.AdminAppFactory.AdminUserName;
    private const string AdminPassword = Host.AdminAppFactory.AdminPassword;

    [Fact]
    public async Task A_viewer_changes_their_own_password_and_the_old_one_stops_working()
    {
        var user = await NewViewerAsync("Old-Passw0rd");
        using var client = app.CreateClientFrom("203.0.113.70", user, "Old-Passw0rd");

        using var changed = await client.PostAsJsonAsync("/api/v1/account/password", new { currentPassword = "Old-Passw0rd", newPassword = "New-Passw0rd" });

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        using var old = app.CreateClientFrom("203.0.113.71", user, "Old-Passw0rd");
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/rules")).StatusCode);
        using var fresh = app.CreateClientFrom("203.0.113.71", user, "New-Passw0rd");
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/rules")).StatusCode);
        Assert.Contains(await app.Services.GetRequiredService<AuditLog>().RecentAsync(50), e => e.Action == AuditActions.UserPasswordChange && e.Who == user && e.Details == "changed own password");
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_weak_new_one_changes_nothing()
    {
        var user = await NewViewerAsync("Keep-Passw0rd");
        using var client = app.CreateClientFrom("203.0.113.72", user, "Keep-Passw0rd");

        using var wrong = await client.PostAsJsonAsync("/api/v1/account/password", new { currentPassword = "Wrong-Passw0rd", newPassword = "New-Passw0rd" });
        using var weak = await client.PostAsJsonAsync("/api/v1/account/password", new { currentPassword = "Keep-Passw0rd", newPassword = "short" });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("currentPassword", out _));
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.True((await weak.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("newPassword", out _));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/rules")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_resets_another_accounts_password_and_a_viewer_cannot()
    {
        var user = await NewViewerAsync("Before-Passw0rd");
        using var viewer = app.CreateClientFrom("203.0.113.73", user, "Before-Passw0rd");
        using var refused = await viewer.PostAsJsonAsync($"/api/v1/users/{Admin}/password", new { newPassword = "Taken-Passw0rd" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var admin = app.CreateClientFrom("203.0.113.74", Admin, AdminPassword);
        using var weak = await admin.PostAsJsonAsync($"/api/v1/users/{user}/password", new { newPassword = "weak" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/rules")).StatusCode);

        using var reset = await admin.PostAsJsonAsync($"/api/v1/users/{user}/password", new { newPassword = "After-Passw0rd" });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        using var missing = await admin.PostAsJsonAsync("/api/v1/users/nobody-here/password", new { newPassword = "After-Passw0rd" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var after = app.CreateClientFrom("203.0.113.75", user, "After-Passw0rd");
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/v1/rules")).StatusCode);
        Assert.Contains(await app.Services.GetRequiredService<AuditLog>().RecentAsync(50), e => e.Action == AuditActions.UserPasswordReset && e.Who == Admin && e.Target == $"user '{user}'");
    }

    [Fact]
    public async Task An_administrator_unlocks_a_locked_account()
    {
        var user = await NewViewerAsync("Locked-Passw0rd");
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByNameAsync(user))!, DateTimeOffset.UtcNow.AddHours(1));
        }

        using var locked = app.CreateClientFrom("203.0.113.76", user, "Locked-Passw0rd");
        Assert.Equal(HttpStatusCode.Unauthorized, (await locked.GetAsync("/api/v1/rules")).StatusCode);

        using var admin = app.CreateClientFrom("203.0.113.77", Admin, AdminPassword);
        using var unlocked = await admin.PostAsync($"/api/v1/users/{user}/unlock", null);

        Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await locked.GetAsync("/api/v1/rules")).StatusCode);
        Assert.Contains(await app.Services.GetRequiredService<AuditLog>().RecentAsync(50), e => e.Action == AuditActions.UserUnlock && e.Target == $"user '{user}'" && e.Details.StartsWith("was locked until", StringComparison.Ordinal));
    }

    private async Task<string> NewViewerAsync(string password)
    {
        var name = "u-" + Guid.NewGuid().ToString("N")[..8];
        await app.CreateUserAsync(name, password, Roles.Viewer);
        return name;
    }
}
