using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Security;

/// <summary>
/// Creates the roles, and the first administrator when no account exists yet. Runs after the database migrator.
/// </summary>
public sealed class FirstAdministratorSeeder(
    IServiceScopeFactory scopeFactory,
    IOptions<AdminOptions> options,
    ILogger<FirstAdministratorSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                Check(await roleManager.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (userManager.Users.Any())
        {
            return;
        }

        var userName = string.IsNullOrWhiteSpace(options.Value.UserName) ? "admin" : options.Value.UserName.Trim();
        var configured = options.Value.InitialPassword;
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var user = new IdentityUser(userName);
        var created = await userManager.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            // Never echo the configured password; say which rule it broke.
            throw new InvalidOperationException(
                $"The first administrator '{userName}' could not be created: {Describe(created)} " +
                "Set Admin:InitialPassword to at least 8 characters with an upper-case letter, a lower-case letter and a digit.");
        }

        Check(await userManager.AddToRoleAsync(user, Roles.Administrator), "grant the Administrator role");

        if (string.IsNullOrEmpty(configured))
        {
            // The one place a secret is ever logged: a generated password nobody could know otherwise.
            logger.LogWarning(
                "\n==================== FIRST ADMINISTRATOR (shown once) ====================\n" +
                "  Sign in as '{UserName}' with the generated password: {GeneratedPassword}\n" +
                "  Set Admin:InitialPassword to choose it yourself. This line is not repeated.\n" +
                "==========================================================================",
                userName,
                password);
        }
        else
        {
            logger.LogInformation("Created the first administrator '{UserName}' with the password from Admin:InitialPassword", userName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>20 characters from an unambiguous alphabet with every class Identity requires.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        while (true)
        {
            var candidate = RandomNumberGenerator.GetString(alphabet, 20);
            if (candidate.Any(char.IsAsciiLetterUpper) && candidate.Any(char.IsAsciiLetterLower) && candidate.Any(char.IsAsciiDigit))
            {
                return candidate;
            }
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {Describe(result)}");
        }
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
