using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Security.Tokens;

namespace Replication.Admin.Security;

public sealed record PasswordChangeInput(string? CurrentPassword, string? NewPassword);

public sealed record PasswordResetInput(string? NewPassword);

/// <summary>Own password for every account; reset and unlock of other accounts for administrators.</summary>
public static class PasswordEndpoints
{
    public const string OwnPasswordPath = "/api/v1/account/password";

    public static IEndpointRouteBuilder MapPasswordEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Any signed-in account may change its own password: not an administrators' route.
        endpoints.MapPost(OwnPasswordPath, ChangeOwnAsync).WithTags("Accounts").WithName("ChangeOwnPassword")
            .WithSummary("Change the signed-in account's password; the current one is required. An API token has no password (409).");
        var users = endpoints.MapGroup("/api/v1/users").WithTags("Accounts").RequireAuthorization(Policies.Administrator);
        users.MapPost("/{userName}/password", ResetAsync).WithName("ResetPassword")
            .WithSummary("Set another account's password; its open sessions end within a minute.");
        users.MapPost("/{userName}/unlock", UnlockAsync).WithName("UnlockAccount").WithSummary("Lift a lockout set on an account.");
        return endpoints;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeOwnAsync(
        PasswordChangeInput input, UserAccountService accounts, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.HasClaim(c => c.Type == BearerTokenAuthenticationHandler.TokenIdClaim))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "An API token has no password.",
                detail: "Sign in with the account's password (HTTP Basic) to change it.");
        }

        var result = await accounts.ChangePasswordAsync(Actor.NameOf(user), input.CurrentPassword, input.NewPassword, cancellationToken);
        return result.Outcome switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found."),
            _ => TypedResults.ValidationProblem(result.Errors, title: "The password was not changed: fix the fields listed in errors."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ResetAsync(
        string userName, PasswordResetInput input, UserAccountService accounts, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await accounts.ResetPasswordAsync(userName, input.NewPassword, Actor.NameOf(user), cancellationToken);
        return result.Outcome switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.NotFound => NotFound(userName),
            _ => TypedResults.ValidationProblem(result.Errors, title: "The password was not reset: fix the fields listed in errors."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnlockAsync(string userName, UserAccountService accounts, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await accounts.UnlockAsync(userName, Actor.NameOf(user), cancellationToken) ? TypedResults.NoContent() : NotFound(userName);

    private static ProblemHttpResult NotFound(string userName) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found.", detail: $"There is no account named '{userName}'.");
}
