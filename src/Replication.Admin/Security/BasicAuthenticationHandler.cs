using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Replication.Admin.Audit;

namespace Replication.Admin.Security;

/// <summary>
/// HTTP Basic with a portal account for automation. Goes through the same password check and lockout as the sign-in page;
/// a password that checked out is taken on trust for a minute (<see cref="VerifiedCredentials"/>) unless the account is
/// locked meanwhile.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserManager<IdentityUser> userManager,
    SignInManager<IdentityUser> signInManager,
    VerifiedCredentials verified,
    AuditLog audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Challenge = "Basic realm=\"Replication Admin\", charset=\"UTF-8\"";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        if (!TryDecode(header.Parameter, out var userName, out var password))
        {
            return AuthenticateResult.Fail("The Basic credentials are not base64 of 'user:password'.");
        }

        var user = await userManager.FindByNameAsync(userName);
        if (user is null)
        {
            await RecordFailureAsync(userName, "wrong user name or password");
            return AuthenticateResult.Fail("Unknown user or wrong password.");
        }

        if (!verified.Contains(user, password) || await userManager.IsLockedOutAsync(user))
        {
            var check = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
            if (check.IsLockedOut)
            {
                await RecordFailureAsync(userName, "account locked out");
                return AuthenticateResult.Fail("The account is locked after repeated failed sign-ins; try again later.");
            }

            if (!check.Succeeded)
            {
                await RecordFailureAsync(userName, "wrong user name or password");
                return AuthenticateResult.Fail("Unknown user or wrong password.");
            }

            verified.Add(user, password);
        }

        var principal = await signInManager.CreateUserPrincipalAsync(user);
        var identity = new ClaimsIdentity(principal.Claims, Scheme.Name, principal.Identities.First().NameClaimType, principal.Identities.First().RoleClaimType);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    // Failures only: a success on every API request would drown the trail; a guessing client shows up here.
    private Task RecordFailureAsync(string userName, string why) =>
        audit.RecordAsync(userName, AuditActions.SignInFailure, $"user '{userName}'", $"API (HTTP Basic): {why}", Context.RequestAborted);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Challenge;
        return Task.CompletedTask;
    }

    private static bool TryDecode(string? parameter, out string userName, out string password)
    {
        userName = password = "";
        if (string.IsNullOrEmpty(parameter))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            userName = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
