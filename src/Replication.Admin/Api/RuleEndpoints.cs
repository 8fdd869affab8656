using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Rules;
using Replication.Admin.Security;

namespace Replication.Admin.Api;

/// <summary><c>/api/v1/rules</c>: CRUD and dry run. Reading needs any account; changing and dry runs need an administrator.</summary>
public static class RuleEndpoints
{
    public const string BasePath = "/api/v1/rules";

    private const string InvalidTitle = "The rule was not saved: fix the fields listed in errors.";

    public static IEndpointRouteBuilder MapRuleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).WithTags("Rules");

        group.MapGet("/", ListAsync).WithName("ListRules").WithSummary("All replication rules, by name.");
        group.MapGet("/{id:int}", GetAsync).WithName("GetRule").WithSummary("One replication rule.");
        group.MapPost("/", CreateAsync).WithName("CreateRule").WithSummary("Create a replication rule; 400 lists each field's problems.")
            .RequireAuthorization(Policies.Administrator);
        group.MapPut("/{id:int}", UpdateAsync).WithName("UpdateRule").WithSummary("Replace a replication rule's settings.")
            .RequireAuthorization(Policies.Administrator);
        group.MapDelete("/{id:int}", DeleteAsync).WithName("DeleteRule").WithSummary("Delete a replication rule (what it replicated stays at the destination).")
            .RequireAuthorization(Policies.Administrator);
        group.MapPost("/{id:int}/dry-run", DryRunAsync).WithName("DryRunRule")
            .WithSummary("What a run would copy, find up to date and delete, from the registries as they are now; changes nothing.")
            .RequireAuthorization(Policies.Administrator);
        return endpoints;
    }

    private static async Task<Ok<List<RuleResource>>> ListAsync(ReplicationRuleService rules, CancellationToken cancellationToken)
    {
        var all = await rules.ListAsync(cancellationToken);
        return TypedResults.Ok(all.Select(RuleResource.From).ToList());
    }

    private static async Task<Results<Ok<RuleResource>, ProblemHttpResult>> GetAsync(int id, ReplicationRuleService rules, CancellationToken cancellationToken)
    {
        var rule = await rules.GetAsync(id, cancellationToken);
        return rule is null ? NotFound(id) : TypedResults.Ok(RuleResource.From(rule));
    }

    private static async Task<Results<Created<RuleResource>, ValidationProblem>> CreateAsync(
        ReplicationRuleInput input, ReplicationRuleService rules, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await rules.CreateAsync(input, Actor.NameOf(user), cancellationToken);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: InvalidTitle);
        }

        return TypedResults.Created($"{BasePath}/{result.Rule!.Id}", RuleResource.From(result.Rule));
    }

    private static async Task<Results<Ok<RuleResource>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        int id, ReplicationRuleInput input, ReplicationRuleService rules, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await rules.UpdateAsync(id, input, Actor.NameOf(user), cancellationToken);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: InvalidTitle);
        }

        return TypedResults.Ok(RuleResource.From(result.Rule!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(int id, ReplicationRuleService rules, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await rules.DeleteAsync(id, Actor.NameOf(user), cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static async Task<Results<Ok<PlanResource>, ProblemHttpResult>> DryRunAsync(int id, ReplicationRuleService rules, CancellationToken cancellationToken)
    {
        var result = await rules.DryRunAsync(id, cancellationToken);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        if (!result.Succeeded)
        {
            // The registries, not the request, are the problem: 502 says so to automation.
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The dry run could not list the registries.", detail: result.Error);
        }

        return TypedResults.Ok(PlanResource.From(result.Plan!));
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Rule not found.", detail: $"There is no replication rule with id {id}.");
}
