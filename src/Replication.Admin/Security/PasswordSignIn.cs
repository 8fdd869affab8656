using Microsoft.AspNetCore.Identity;
using Replication.Admin.Audit;

namespace Replication.Admin.Security;

/// <summary>Where a password was typed.</summary>
public enum SignInChannel
{
    /// <summary>The sign-in page.</summary>
    Form,

    /// <summary>HTTP Basic on the API (and on pages, for automation).</summary>
    Basic,
}

public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,

    /// <summary>Refused before the password was looked at: this client address failed too often.</summary>
    Throttled,
}

/// <summary>The answer to one password attempt.</summary>
public sealed record SignInAttempt(SignInOutcome Outcome, IdentityUser? User = null, TimeSpan RetryAfter = default)
{
    public bool Succeeded => Outcome == SignInOutcome.Succeeded;
}

/// <summary>
/// The one password check of the sign-in page and HTTP Basic. Failures count per client address
/// (<see cref="FailedAttemptLimiter"/>), never per account: a per-account lockout would let anyone who can reach the
/// port lock the administrator out. An address that used up its failures is refused before its password is looked at,
/// so a refusal tells it nothing. Every failure is logged and audited with the client address, never with the password.
/// </summary>
public sealed class PasswordSignIn(
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signInManager,
    VerifiedCredentials verified,
    FailedAttemptLimiter limiter,
    AuditLog audit,
    ILogger<PasswordSignIn> logger)
{
    public async Task<SignInAttempt> CheckAsync(HttpContext context, string userName, string password, SignInChannel channel)
    {
        ArgumentNullException.ThrowIfNull(context);
        var partition = ClientAddress.PartitionOf(context);
        var address = ClientAddress.Of(context);
        var cancellationToken = context.RequestAborted;
        if (limiter.IsRefused(AttemptKind.Password, partition, out var retryAfter))
        {
            // Logged, not audited: the audit entry was written when the address used up its failures, and a flood of
            // refusals must not flood the audit trail.
            logger.LogInformation("Refused a sign-in as {UserName} from {Address} ({Channel}): too many failed sign-ins from there", userName, address, channel);
            return new SignInAttempt(SignInOutcome.Throttled, RetryAfter: retryAfter);
        }

        var user = await users.FindByNameAsync(userName);

        // Automation polling with a password that checked out a moment ago pays neither the hash nor the queue below.
        if (await IsRecentlyVerifiedAsync(user, password, channel))
        {
            return new SignInAttempt(SignInOutcome.Succeeded, user);
        }

        string failure;
        bool nowRefused;
        using (var turn = await limiter.WaitTurnAsync(partition, cancellationToken))
        {
            if (!turn.IsAcquired)
            {
                logger.LogWarning("Refused a sign-in as {UserName} from {Address} ({Channel}): too many password checks at once from there", userName, address, channel);
                return new SignInAttempt(SignInOutcome.Throttled, RetryAfter: TimeSpan.FromSeconds(1));
            }

            // Counted while this address waited in line?
            if (limiter.IsRefused(AttemptKind.Password, partition, out retryAfter))
            {
                logger.LogInformation("Refused a sign-in as {UserName} from {Address} ({Channel}): too many failed sign-ins from there", userName, address, channel);
                return new SignInAttempt(SignInOutcome.Throttled, RetryAfter: retryAfter);
            }

            if (await IsRecentlyVerifiedAsync(user, password, channel))
            {
                return new SignInAttempt(SignInOutcome.Succeeded, user);
            }

            // lockoutOnFailure: false — a wrong password counts against the address above, not against the account.
            // A lockout an administrator sets is still honoured (and checked before the password, so it reveals nothing).
            var result = user is null ? null : await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
            if (result is { Succeeded: true })
            {
                if (channel == SignInChannel.Basic)
                {
                    verified.Add(user!, password);
                }

                return new SignInAttempt(SignInOutcome.Succeeded, user);
            }

            if (result is { IsLockedOut: true })
            {
                await RecordAsync(AuditActions.SignInFailure, userName, $"{Describe(channel)}: account locked out, from {address}");
                logger.LogWarning("Refused a sign-in as {UserName} from {Address} ({Channel}): the account is locked out", userName, address, channel);
                return new SignInAttempt(SignInOutcome.LockedOut, user);
            }

            failure = result is { IsNotAllowed: true } ? "account not allowed to sign in" : "wrong user name or password";
            nowRefused = limiter.RecordFailure(AttemptKind.Password, partition, out retryAfter);
        }

        await RecordAsync(AuditActions.SignInFailure, userName, $"{Describe(channel)}: {failure}, from {address}");
        logger.LogWarning("Failed sign-in as {UserName} from {Address} ({Channel}): {Failure}", userName, address, channel, failure);
        if (nowRefused)
        {
            var minutes = Math.Ceiling(retryAfter.TotalMinutes);
            await RecordAsync(
                AuditActions.SignInThrottled,
                userName,
                $"too many failed sign-ins from {address}: its sign-ins are refused for up to {minutes} min");
            logger.LogWarning("Too many failed sign-ins from {Address}: refusing its sign-ins for up to {Minutes} min", address, minutes);
        }

        return new SignInAttempt(SignInOutcome.Failed, user);
    }

    private async Task<bool> IsRecentlyVerifiedAsync(IdentityUser? user, string password, SignInChannel channel) =>
        channel == SignInChannel.Basic && user is not null && verified.Contains(user, password) && !await users.IsLockedOutAsync(user);

    // Not the request's token: a client that hangs up at once must still leave its trace.
    private Task RecordAsync(string action, string userName, string details) =>
        audit.RecordAsync(userName, action, $"user '{userName}'", details, CancellationToken.None);

    private static string Describe(SignInChannel channel) => channel == SignInChannel.Basic ? "API (HTTP Basic)" : "sign-in page";
}
