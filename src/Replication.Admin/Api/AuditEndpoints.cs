using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Audit;

namespace Replication.Admin.Api;

/// <summary><c>/api/v1/audit</c>: who created, changed, deleted or signed in, newest first, a page at a time.</summary>
public static class AuditEndpoints
{
    public const string BasePath = "/api/v1/audit";

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(BasePath, ListAsync).WithTags("Audit").WithName("ListAudit")
            .WithSummary("Audit entries, newest first. Filters: user (part of the name), action (e.g. rule or rule.update), from and to (ISO 8601, to exclusive); page from 1, pageSize up to 500.");
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPageResource>, ValidationProblem>> ListAsync(
        AuditLog audit,
        string? user,
        string? action,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int? page,
        int? pageSize,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
        {
            errors["page"] = ["Page starts at 1."];
        }

        if (pageSize is < 1 or > AuditQuery.MaxPageSize)
        {
            errors["pageSize"] = [$"Page size must be between 1 and {AuditQuery.MaxPageSize}."];
        }

        if (from is not null && to is not null && to <= from)
        {
            errors["to"] = ["'to' must be later than 'from'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The audit query is not valid.");
        }

        var result = await audit.QueryAsync(new AuditQuery(user, action, from, to, page ?? 1, pageSize ?? 50), cancellationToken);
        return TypedResults.Ok(new AuditPageResource(result.Items.Select(AuditEntryResource.From).ToList(), result.Total, result.Page, result.PageSize));
    }
}
