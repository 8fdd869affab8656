using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;

namespace Replication.Admin.Security;

/// <summary>An account as the Users page shows it.</summary>
public sealed record UserAccount(string Id, string UserName, string Role, DateTimeOffset? LockedOutUntil);

/// <summary>Outcome of a change to accounts: null error means it worked.</summary>
public sealed record UserAccountResult(string? Error)
{
    public bool Succeeded => Error is null;

    public static UserAccountResult Ok { get; } = new((string?)null);
}

/// <summary>Adds, removes and re-roles accounts, keeping at least one administrator. Each call uses its own scope (safe from a circuit).</summary>
public sealed class UserAccountService(IServiceScopeFactory scopeFactory, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var admins = (await users.GetUsersInRoleAsync(Roles.Administrator)).Select(u => u.Id).ToHashSet();
        var all = await users.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return all.Select(u => new UserAccount(
                u.Id,
                u.UserName ?? "",
                admins.Contains(u.Id) ? Roles.Administrator : Roles.Viewer,
                u.LockoutEnd > now ? u.LockoutEnd : null))
            .ToList();
    }

    public async Task<UserAccountResult> CreateAsync(string userName, string password, string role, string actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(userName))
        {
            return new("User name is required.");
        }

        if (!Roles.All.Contains(role))
        {
            return new($"Role must be {Roles.Administrator} or {Roles.Viewer}.");
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser(userName.Trim());
        var created = await users.CreateAsync(user, password ?? "");
        if (!created.Succeeded)
        {
            return new(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        var granted = await users.AddToRoleAsync(user, role);
        if (!granted.Succeeded)
        {
            await users.DeleteAsync(user);
            return new(string.Join(" ", granted.Errors.Select(e => e.Description)));
        }

        await audit.RecordAsync(actor, AuditActions.UserCreate, $"user '{user.UserName}'", $"role={role}", cancellationToken);
        return UserAccountResult.Ok;
    }

    public async Task<UserAccountResult> DeleteAsync(string userId, string actor, CancellationToken cancellationToken = default)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new("That account no longer exists.");
        }

        if (string.Equals(user.UserName, actor, StringComparison.OrdinalIgnoreCase))
        {
            return new("You cannot remove your own account. Ask another administrator to do it.");
        }

        if (await IsLastAdministratorAsync(users, user))
        {
            return new($"'{user.UserName}' is the last administrator and cannot be removed. Make another account an administrator first.");
        }

        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            return new(string.Join(" ", deleted.Errors.Select(e => e.Description)));
        }

        await audit.RecordAsync(actor, AuditActions.UserDelete, $"user '{user.UserName}'", "", cancellationToken);
        return UserAccountResult.Ok;
    }

    public async Task<UserAccountResult> SetRoleAsync(string userId, string role, string actor, CancellationToken cancellationToken = default)
    {
        if (!Roles.All.Contains(role))
        {
            return new($"Role must be {Roles.Administrator} or {Roles.Viewer}.");
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new("That account no longer exists.");
        }

        var current = await users.IsInRoleAsync(user, Roles.Administrator) ? Roles.Administrator : Roles.Viewer;
        if (current == role)
        {
            return UserAccountResult.Ok;
        }

        if (role == Roles.Viewer && await IsLastAdministratorAsync(users, user))
        {
            return new($"'{user.UserName}' is the last administrator and must stay one. Make another account an administrator first.");
        }

        var removed = await users.RemoveFromRolesAsync(user, Roles.All.Where(r => r != role));
        var added = removed.Succeeded ? await users.AddToRoleAsync(user, role) : removed;
        if (!added.Succeeded)
        {
            return new(string.Join(" ", added.Errors.Select(e => e.Description)));
        }

        // Open sessions of that account pick up the new role at the next stamp check.
        await users.UpdateSecurityStampAsync(user);
        await audit.RecordAsync(actor, AuditActions.UserRoleChange, $"user '{user.UserName}'", $"role: {current} -> {role}", cancellationToken);
        return UserAccountResult.Ok;
    }

    private static async Task<bool> IsLastAdministratorAsync(UserManager<IdentityUser> users, IdentityUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Administrator);
        return admins.Count == 1 && admins[0].Id == user.Id;
    }
}
