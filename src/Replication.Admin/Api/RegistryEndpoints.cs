using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Registries;
using Replication.Admin.Security;

namespace Replication.Admin.Api;

/// <summary><c>/api/v1/registries</c>: CRUD and Test Connection. Reading needs any account; changing needs an administrator.</summary>
public static class RegistryEndpoints
{
    public const string BasePath = "/api/v1/registries";

    public static IEndpointRouteBuilder MapRegistryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).WithTags("Registries");

        group.MapGet("/", ListAsync).WithName("ListRegistries").WithSummary("All registries, by name.");
        group.MapGet("/{id:int}", GetAsync).WithName("GetRegistry").WithSummary("One registry.");
        group.MapPost("/", CreateAsync).WithName("CreateRegistry").WithSummary("Register a registry; the password is stored encrypted and never returned.")
            .RequireAuthorization(Policies.Administrator);
        group.MapPut("/{id:int}", UpdateAsync).WithName("UpdateRegistry").WithSummary("Change a registry; an empty or missing password keeps the saved one.")
            .RequireAuthorization(Policies.Administrator);
        group.MapDelete("/{id:int}", DeleteAsync).WithName("DeleteRegistry").WithSummary("Delete a registry; 409 while a replication rule uses it.")
            .RequireAuthorization(Policies.Administrator);
        group.MapPost("/{id:int}/ping", PingAsync).WithName("PingRegistry").WithSummary("Test Connection: GET /v2/ through the registry's auth challenge; records the status.")
            .RequireAuthorization(Policies.Administrator);
        return endpoints;
    }

    private static async Task<Ok<List<RegistryResource>>> ListAsync(RegistryService registries, CancellationToken cancellationToken)
    {
        var all = await registries.ListAsync(cancellationToken);
        return TypedResults.Ok(all.Select(RegistryResource.From).ToList());
    }

    private static async Task<Results<Ok<RegistryResource>, ProblemHttpResult>> GetAsync(int id, RegistryService registries, CancellationToken cancellationToken)
    {
        var registry = await registries.GetAsync(id, cancellationToken);
        return registry is null ? NotFound(id) : TypedResults.Ok(RegistryResource.From(registry));
    }

    private static async Task<Results<Created<RegistryResource>, ValidationProblem>> CreateAsync(
        RegistryEndpointInput input, RegistryService registries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await registries.CreateAsync(input, Actor.NameOf(user), cancellationToken);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The registry was not saved: fix the fields listed in errors.");
        }

        return TypedResults.Created($"{BasePath}/{result.Registry!.Id}", RegistryResource.From(result.Registry));
    }

    private static async Task<Results<Ok<RegistryResource>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        int id, RegistryEndpointInput input, RegistryService registries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await registries.UpdateAsync(id, input, Actor.NameOf(user), cancellationToken);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The registry was not saved: fix the fields listed in errors.");
        }

        return TypedResults.Ok(RegistryResource.From(result.Registry!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(int id, RegistryService registries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await registries.DeleteAsync(id, Actor.NameOf(user), cancellationToken);
        return result.Outcome switch
        {
            RegistryDeleteOutcome.Deleted => TypedResults.NoContent(),
            RegistryDeleteOutcome.NotFound => NotFound(id),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The registry is in use.",
                detail: result.Message,
                extensions: new Dictionary<string, object?> { ["rules"] = result.UsedByRules }),
        };
    }

    private static async Task<Results<Ok<PingResource>, ProblemHttpResult>> PingAsync(int id, RegistryService registries, CancellationToken cancellationToken)
    {
        var result = await registries.PingAsync(id, cancellationToken);
        return result is null ? NotFound(id) : TypedResults.Ok(PingResource.From(result));
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Registry not found.", detail: $"There is no registry with id {id}.");
}
