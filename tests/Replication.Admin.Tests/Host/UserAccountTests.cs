using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Security;

namespace Replication.Admin.Tests.Host;

/// <summary>The rules behind the Users page: accounts come and go, but there is always an administrator.</summary>
public sealed class UserAccountTests : IDisposable
{
    private readonly AdminAppFactory app = new();

    private UserAccountService Accounts => app.Services.GetRequiredService<UserAccountService>();

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task An_administrator_adds_a_viewer_and_makes_it_an_administrator()
    {
        Assert.True((await Accounts.CreateAsync("carol", "Carol-Passw0rd", Roles.Viewer, "admin")).Succeeded);
        var carol = (await Accounts.ListAsync()).Single(a => a.UserName == "carol");
        Assert.Equal(Roles.Viewer, carol.Role);

        Assert.True((await Accounts.SetRoleAsync(carol.Id, Roles.Administrator, "admin")).Succeeded);

        Assert.Equal(Roles.Administrator, (await Accounts.ListAsync()).Single(a => a.UserName == "carol").Role);
        var audit = await app.Services.GetRequiredService<AuditLog>().RecentAsync();
        Assert.Contains(audit, e => e.Action == AuditActions.UserCreate && e.Target == "user 'carol'" && e.Details == "role=Viewer");
        Assert.Contains(audit, e => e.Action == AuditActions.UserRoleChange && e.Details == "role: Viewer -> Administrator");
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_the_rule_it_breaks()
    {
        var result = await Accounts.CreateAsync("dave", "short", Roles.Viewer, "admin");

        Assert.False(result.Succeeded);
        Assert.Contains("at least 8 characters", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(await Accounts.ListAsync(), a => a.UserName == "dave");
    }

    [Fact]
    public async Task Nobody_removes_their_own_account()
    {
        await Accounts.CreateAsync("erin", "Erin-Passw0rd", Roles.Administrator, "admin");
        var erin = (await Accounts.ListAsync()).Single(a => a.UserName == "erin");

        var result = await Accounts.DeleteAsync(erin.Id, "erin");

        Assert.False(result.Succeeded);
        Assert.Contains("cannot remove your own account", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_administrator_can_be_neither_removed_nor_demoted()
    {
        await Accounts.CreateAsync("frank", "Frank-Passw0rd", Roles.Viewer, "admin");
        var admin = (await Accounts.ListAsync()).Single(a => a.UserName == AdminAppFactory.AdminUserName);

        var removed = await Accounts.DeleteAsync(admin.Id, "frank");
        var demoted = await Accounts.SetRoleAsync(admin.Id, Roles.Viewer, "frank");

        Assert.Contains("last administrator", removed.Error, StringComparison.Ordinal);
        Assert.Contains("last administrator", demoted.Error, StringComparison.Ordinal);
        Assert.Equal(Roles.Administrator, (await Accounts.ListAsync()).Single(a => a.Id == admin.Id).Role);
    }

    [Fact]
    public async Task An_administrator_removes_another_account()
    {
        await Accounts.CreateAsync("gina", "Gina-Passw0rd", Roles.Viewer, "admin");
        var gina = (await Accounts.ListAsync()).Single(a => a.UserName == "gina");

        Assert.True((await Accounts.DeleteAsync(gina.Id, "admin")).Succeeded);

        Assert.DoesNotContain(await Accounts.ListAsync(), a => a.UserName == "gina");
        using var client = app.CreateBasicClient("gina", "Gina-Passw0rd");
        using var response = await client.GetAsync("/api/v1/registries");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
