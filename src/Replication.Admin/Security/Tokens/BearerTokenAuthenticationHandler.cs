using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Replication.Admin.Audit;

namespace Replication.Admin.Security.Tokens;

/// <summary>
/// <c>Authorization: Bearer &lt;API token&gt;</c> on <c>/api/v1</c>. A wrong or expired token counts against the client
/// address in the same budget as wrong passwords (<see cref="FailedAttemptLimiter"/>), and an address over it is
/// answered 429 before its token is looked up.
/// </summary>
public sealed class BearerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiTokenService tokens,
    FailedAttemptLimiter limiter,
    AuditLog audit,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>The actor name of a token: what the audit trail and executions record.</summary>
    public static string ActorOf(string tokenName) => $"token:{tokenName}";

    private TimeSpan? throttledFor;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var partition = ClientAddress.PartitionOf(Context);
        var address = ClientAddress.Of(Context);
        if (limiter.IsRefused(AttemptKind.Password, partition, out var retryAfter))
        {
            throttledFor = retryAfter;
            Logger.LogInformation("Refused an API token from {Address}: too many failed sign-ins from there", address);
            return AuthenticateResult.Fail("Too many failed sign-ins from this client address; try again later.");
        }

        var token = await tokens.AuthenticateAsync(header.Parameter ?? "", Context.RequestAborted);
        if (token is null)
        {
            var nowRefused = limiter.RecordFailure(AttemptKind.Password, partition, out retryAfter);
            Logger.LogWarning("Refused an unknown, revoked or expired API token from {Address}", address);
            await audit.RecordAsync("anonymous", AuditActions.SignInFailure, "API token", $"API (Bearer): unknown, revoked or expired token, from {address}", CancellationToken.None);
            if (nowRefused)
            {
                await audit.RecordAsync("anonymous", AuditActions.SignInThrottled, "API token", $"too many failed sign-ins from {address}: its sign-ins are refused for up to {Math.Ceiling(retryAfter.TotalMinutes)} min", CancellationToken.None);
            }

            return AuthenticateResult.Fail("Unknown, revoked or expired API token.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, ActorOf(token.Name)),
                new Claim(ClaimTypes.Role, token.Role),
                new Claim(TokenIdClaim, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            Scheme.Name,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>Present on principals signed in with an API token: they have no password to change.</summary>
    public const string TokenIdClaim = "replication:token-id";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (throttledFor is { } retryAfter)
        {
            await BasicAuthenticationHandler.WriteThrottledAsync(Context, problems, retryAfter);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"Replication Admin\"";
    }
}
