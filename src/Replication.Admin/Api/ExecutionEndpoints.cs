using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Executions;
using Replication.Admin.Security;

namespace Replication.Admin.Api;

/// <summary>
/// <c>/api/v1/executions</c> (list, get, tasks, stop, retry) and <c>POST /api/v1/rules/{id}/executions</c> (Replicate).
/// Reading needs any account; acting needs an administrator.
/// </summary>
public static class ExecutionEndpoints
{
    public const string BasePath = "/api/v1/executions";

    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).WithTags("Executions");
        group.MapGet("/", ListAsync).WithName("ListExecutions")
            .WithSummary("Executions, newest first; filter by ruleId and status (pending, running, succeeded, failed, partiallyFailed, stopped); page from 1, pageSize up to 200.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetExecution").WithSummary("One execution.");
        group.MapGet("/{id:long}/tasks", TasksAsync).WithName("ListExecutionTasks").WithSummary("The tasks of an execution in plan order; optional status, search (part of the source, destination, tag or digest), skip and take (the page's tasks; X-Total-Count says how many match).");
        group.MapPost("/{id:long}/stop", StopAsync).WithName("StopExecution")
            .WithSummary("Stop: a running execution ends Stopped within seconds, leaving no partial image; 409 when already finished.")
            .RequireAuthorization(Policies.Administrator);
        group.MapPost("/{id:long}/retry", RetryAsync).WithName("RetryExecution")
            .WithSummary("Retry failed: runs the failed tasks now in a retry execution (or brings the scheduled retry forward); 409 when nothing failed or still running.")
            .RequireAuthorization(Policies.Administrator);

        endpoints.MapPost("/api/v1/rules/{id:int}/executions", ReplicateAsync).WithTags("Rules").WithName("ReplicateRule")
            .WithSummary("Replicate: a full run of the rule now; 202 with the execution (an execution about to start is returned instead of a second one).")
            .RequireAuthorization(Policies.Administrator);
        return endpoints;
    }

    private static async Task<Results<Ok<ExecutionPageResource>, ValidationProblem>> ListAsync(
        ExecutionQueries queries,
        int? ruleId,
        string? status,
        int? page,
        int? pageSize,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        ExecutionStatus? wanted = null;
        if (status is not null)
        {
            if (ApiNames.TryParse<ExecutionStatus>(status, out var parsed))
            {
                wanted = parsed;
            }
            else
            {
                errors["status"] = ["Use one of pending, running, succeeded, failed, partiallyFailed, stopped."];
            }
        }

        if (page is < 1)
        {
            errors["page"] = ["Pages start at 1."];
        }

        if (pageSize is < 1 or > ExecutionListQuery.MaxPageSize)
        {
            errors["pageSize"] = [$"Use a page size from 1 to {ExecutionListQuery.MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The filters are not valid.");
        }

        var result = await queries.ListAsync(new ExecutionListQuery { RuleId = ruleId, Status = wanted, Page = page ?? 1, PageSize = pageSize ?? 25 }, cancellationToken);
        var retries = await queries.GetRetryIdsAsync(result.Items.Select(e => e.Id).ToList(), cancellationToken);
        return TypedResults.Ok(new ExecutionPageResource(result.Items.Select(e => ExecutionResource.From(e, retries[e.Id])).ToList(), result.TotalCount, result.Page, result.PageSize));
    }

    private static async Task<Results<Ok<ExecutionResource>, ProblemHttpResult>> GetAsync(long id, ExecutionQueries queries, CancellationToken cancellationToken)
    {
        var execution = await queries.GetAsync(id, cancellationToken);
        return execution is null ? NotFound(id) : TypedResults.Ok(await ResourceAsync(execution, queries, cancellationToken));
    }

    private static async Task<Results<Ok<List<ExecutionTaskResource>>, ProblemHttpResult, ValidationProblem>> TasksAsync(
        long id,
        ExecutionQueries queries,
        string? status,
        string? search,
        int? skip,
        int? take,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        ExecutionTaskStatus? wanted = null;
        if (status is not null)
        {
            if (!ApiNames.TryParse<ExecutionTaskStatus>(status, out var parsed))
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["status"] = ["Use one of pending, running, succeeded, upToDate, skipped, failed, stopped."] },
                    title: "The filters are not valid.");
            }

            wanted = parsed;
        }

        if (await queries.GetAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }

        if (skip is < 0 || take is < 0)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [skip is < 0 ? "skip" : "take"] = ["Use 0 or more."] },
                title: "The filters are not valid.");
        }

        // The count lets a client page through 20,000 tasks without fetching them all; the body keeps its shape.
        response.Headers["X-Total-Count"] = (await queries.CountTasksAsync(id, wanted, search, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tasks = await queries.GetTasksAsync(id, wanted, skip ?? 0, take ?? int.MaxValue, search, cancellationToken);
        return TypedResults.Ok(tasks.Select(ExecutionTaskResource.From).ToList());
    }

    private static async Task<Results<Accepted<ExecutionResource>, ProblemHttpResult>> StopAsync(
        long id, ExecutionLauncher launcher, ExecutionQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var launch = await launcher.StopAsync(id, Actor.NameOf(user), cancellationToken);
        return await AnswerAsync(launch, queries, cancellationToken);
    }

    private static async Task<Results<Accepted<ExecutionResource>, ProblemHttpResult>> RetryAsync(
        long id, ExecutionLauncher launcher, ExecutionQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var launch = await launcher.RetryNowAsync(id, Actor.NameOf(user), cancellationToken);
        return await AnswerAsync(launch, queries, cancellationToken);
    }

    private static async Task<Results<Accepted<ExecutionResource>, ProblemHttpResult>> ReplicateAsync(
        int id, ExecutionLauncher launcher, ExecutionQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var launch = await launcher.StartManualAsync(id, Actor.NameOf(user), cancellationToken);
        return await AnswerAsync(launch, queries, cancellationToken);
    }

    private static async Task<ExecutionResource> ResourceAsync(ExecutionSummary execution, ExecutionQueries queries, CancellationToken cancellationToken) =>
        ExecutionResource.From(execution, (await queries.GetRetriesAsync(execution.Id, cancellationToken)).Select(r => r.Id));

    private static async Task<Results<Accepted<ExecutionResource>, ProblemHttpResult>> AnswerAsync(ExecutionLaunch launch, ExecutionQueries queries, CancellationToken cancellationToken)
    {
        if (launch.Accepted && await queries.GetAsync(launch.Execution!.Id, cancellationToken) is { } execution)
        {
            return TypedResults.Accepted($"{BasePath}/{execution.Id}", await ResourceAsync(execution, queries, cancellationToken));
        }

        return TypedResults.Problem(
            statusCode: launch.Outcome == LaunchOutcome.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
            title: launch.Outcome switch
            {
                LaunchOutcome.NotFound => "Not found.",
                LaunchOutcome.Disabled => "The rule is disabled.",
                _ => "Not possible in the execution's state.",
            },
            detail: launch.Message);
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Execution not found.", detail: $"There is no execution with id {id}.");
}
