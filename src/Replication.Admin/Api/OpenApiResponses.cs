using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Replication.Admin.Security;

namespace Replication.Admin.Api;

/// <summary>
/// Lists in the OpenAPI document the refusals each route can give, read from its endpoint metadata: 401 for every route
/// behind an account, 403 for administrators' routes, 404 where the path names something, 409 where a state can refuse.
/// </summary>
internal static class OpenApiResponses
{
    // Operations whose answer can be 409 Conflict (by operation id, i.e. the endpoint name).
    private static readonly HashSet<string> Conflicts = new(StringComparer.Ordinal)
    {
        "DeleteRegistry", "StopExecution", "RetryExecution", "ReplicateRule", "ChangeOwnPassword",
    };

    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No account, or wrong credentials (HTTP Basic or an API token as Bearer)." });
            if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policies.Administrator || a.Roles?.Contains(Roles.Administrator, StringComparison.Ordinal) == true))
            {
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The account or token is a Viewer: administrators only." });
            }
        }

        if (context.Description.RelativePath?.Contains('{', StringComparison.Ordinal) == true)
        {
            operation.Responses.TryAdd("404", new OpenApiResponse { Description = "Nothing with that id (or name) exists." });
        }

        if (operation.OperationId is { } id && Conflicts.Contains(id))
        {
            operation.Responses.TryAdd("409", new OpenApiResponse { Description = "The resource's state refuses it now; the problem details say why." });
        }

        return Task.CompletedTask;
    }
}
