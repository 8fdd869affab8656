using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Security;

/// <summary>
/// HTTP Basic with a portal account for automation. Goes through the same password check as the sign-in page
/// (<see cref="PasswordSignIn"/>: failures counted per client address, a password that checked out taken on trust for a
/// minute unless the account is locked meanwhile). A client address that failed too often gets 429 with Retry-After.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SignInManager<IdentityUser> signInManager,
    PasswordSignIn passwords,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Challenge = "Basic realm=\"Replication Admin\", charset=\"UTF-8\"";

    private SignInAttempt? throttled;

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

        var attempt = await passwords.CheckAsync(Context, userName, password, SignInChannel.Basic);
        switch (attempt.Outcome)
        {
            case SignInOutcome.Throttled:
                throttled = attempt;
                return AuthenticateResult.Fail("Too many failed sign-ins from this client address; try again later.");
            case SignInOutcome.LockedOut:
                return AuthenticateResult.Fail("The account is locked; ask an administrator.");
            case SignInOutcome.Failed:
                return AuthenticateResult.Fail("Unknown user or wrong password.");
            default:
                break;
        }

        var principal = await signInManager.CreateUserPrincipalAsync(attempt.User!);
        var identity = new ClaimsIdentity(principal.Claims, Scheme.Name, principal.Identities.First().NameClaimType, principal.Identities.First().RoleClaimType);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (throttled is not null)
        {
            await WriteThrottledAsync(Context, problems, throttled.RetryAfter);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Challenge;
    }

    /// <summary>429 with Retry-After (whole seconds) and a problem body that says when to try again.</summary>
    public static async Task WriteThrottledAsync(HttpContext context, IProblemDetailsService problems, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problems);
        var seconds = (long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many failed attempts from this client address.",
                Detail = $"Further attempts from this address are refused for up to {seconds} s (see Retry-After); other addresses are not affected.",
            },
        });
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
