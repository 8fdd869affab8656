using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Replication.Admin.Security.Tokens;

/// <summary>Creates an API token: what it may do and until when.</summary>
public sealed record ApiTokenInput(string? Name, string? Role, DateTimeOffset? ExpiresAt);

/// <summary>A token as listed: no token value.</summary>
public sealed record ApiTokenResource(int Id, string Name, string Role, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt)
{
    public static ApiTokenResource From(ApiTokenView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Id, view.Name, view.Role, view.ExpiresAt, view.CreatedAt, view.CreatedBy, view.LastUsedAt);
    }
}

/// <summary>The answer to a create: the only time <see cref="Token"/> is shown.</summary>
public sealed record CreatedApiTokenResource(int Id, string Name, string Role, DateTimeOffset ExpiresAt, string Token);

/// <summary><c>/api/v1/tokens</c>: API tokens for automation, administrators only.</summary>
public static class TokenEndpoints
{
    public const string BasePath = "/api/v1/tokens";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).WithTags("Tokens").RequireAuthorization(Policies.Administrator);
        group.MapGet("/", ListAsync).WithName("ListTokens").WithSummary("API tokens, by name; never their values.");
        group.MapPost("/", CreateAsync).WithName("CreateToken")
            .WithSummary("Create an API token (sent as Authorization: Bearer <token>). The token is in this answer only; it is stored as a hash.");
        group.MapDelete("/{id:int}", RevokeAsync).WithName("RevokeToken").WithSummary("Revoke a token: it is refused from the next call on.");
        return endpoints;
    }

    private static async Task<Ok<List<ApiTokenResource>>> ListAsync(ApiTokenService tokens, CancellationToken cancellationToken) =>
        TypedResults.Ok((await tokens.ListAsync(cancellationToken)).Select(ApiTokenResource.From).ToList());

    private static async Task<Results<Created<CreatedApiTokenResource>, ValidationProblem>> CreateAsync(
        ApiTokenInput input, ApiTokenService tokens, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await tokens.CreateAsync(input.Name, input.Role, input.ExpiresAt, Actor.NameOf(user), cancellationToken);
        if (result.Created is not { } created)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The token was not created: fix the fields listed in errors.");
        }

        var view = created.View;
        return TypedResults.Created($"{BasePath}/{view.Id}", new CreatedApiTokenResource(view.Id, view.Name, view.Role, view.ExpiresAt, created.Token));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(int id, ApiTokenService tokens, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await tokens.RevokeAsync(id, Actor.NameOf(user), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Token not found.", detail: $"There is no token with id {id}.");
}
