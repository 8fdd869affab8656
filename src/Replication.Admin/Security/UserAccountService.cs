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

public enum PasswordChangeOutcome
{
    Changed,
    Invalid,
    NotFound,
}

/// <summary>Outcome of a password change or reset, with errors by field (<c>currentPassword</c>, <c>newPassword</c>).</summary>
public sealed record PasswordChangeResult(PasswordChangeOutcome Outcome, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Outcome == PasswordChangeOutcome.Changed;

    public string ErrorText => string.Join(" ", Errors.Values.SelectMany(v => v));
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

    /// <summary>The signed-in user changes their own password; the wrong current password is an error on that field.</summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(string userName, string? currentPassword, string? newPassword, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(currentPassword))
        {
            errors["currentPassword"] = ["Enter your current password."];
        }

        if (string.IsNullOrEmpty(newPassword))
        {
            errors["newPassword"] = ["Enter a new password."];
        }

        if (errors.Count > 0)
        {
            return new(PasswordChangeOutcome.Invalid, errors);
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            return new(PasswordChangeOutcome.NotFound, errors);
        }

        if (!await users.CheckPasswordAsync(user, currentPassword!))
        {
            await audit.RecordAsync(userName, AuditActions.UserPasswordChange, $"user '{user.UserName}'", "refused: wrong current password", cancellationToken);
            return new(PasswordChangeOutcome.Invalid, new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] });
        }

        var changed = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
        if (!changed.Succeeded)
        {
            return new(PasswordChangeOutcome.Invalid, new Dictionary<string, string[]> { ["newPassword"] = changed.Errors.Select(e => e.Description).ToArray() });
        }

        await audit.RecordAsync(userName, AuditActions.UserPasswordChange, $"user '{user.UserName}'", "changed own password", cancellationToken);
        return new(PasswordChangeOutcome.Changed, errors);
    }

    /// <summary>An administrator sets another account's password; its open sessions end at the next stamp check.</summary>
    public async Task<PasswordChangeResult> ResetPasswordAsync(string userName, string? newPassword, string actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(newPassword))
        {
            return new(PasswordChangeOutcome.Invalid, new Dictionary<string, string[]> { ["newPassword"] = ["Enter a new password."] });
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            return new(PasswordChangeOutcome.NotFound, new Dictionary<string, string[]>());
        }

        // Validate first, so a weak password leaves the old one in place.
        foreach (var validator in users.PasswordValidators)
        {
            var valid = await validator.ValidateAsync(users, user, newPassword);
            if (!valid.Succeeded)
            {
                return new(PasswordChangeOutcome.Invalid, new Dictionary<string, string[]> { ["newPassword"] = valid.Errors.Select(e => e.Description).ToArray() });
            }
        }

        var reset = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), newPassword);
        if (!reset.Succeeded)
        {
            return new(PasswordChangeOutcome.Invalid, new Dictionary<string, string[]> { ["newPassword"] = reset.Errors.Select(e => e.Description).ToArray() });
        }

        await audit.RecordAsync(actor, AuditActions.UserPasswordReset, $"user '{user.UserName}'", "password reset by an administrator", cancellationToken);
        return new(PasswordChangeOutcome.Changed, new Dictionary<string, string[]>());
    }

    /// <summary>Lifts a lockout set on an account. False when there is no such account.</summary>
    public async Task<bool> UnlockAsync(string userName, string actor, CancellationToken cancellationToken = default)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            return false;
        }

        var until = user.LockoutEnd;
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.RecordAsync(actor, AuditActions.UserUnlock, $"user '{user.UserName}'", until > clock.GetUtcNow() ? $"was locked until {until:u}" : "was not locked", cancellationToken);
        return true;
    }

    private static async Task<bool> IsLastAdministratorAsync(UserManager<IdentityUser> users, IdentityUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Administrator);
        return admins.Count == 1 && admins[0].Id == user.Id;
    }
}
