using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Replication.Admin.Executions;
using Replication.Admin.Security;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Api;

/// <summary>
/// The registry event receiver <c>POST /api/v1/events/{registryId}</c> (authenticated by the registry's own secret,
/// not by a portal account) and <c>POST /api/v1/registries/{id}/webhook-secret</c> to generate or rotate that secret.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/events/{registryId:int}", ReceiveAsync).WithTags("Events").WithName("ReceiveRegistryEvents")
            .WithSummary("Registry notifications (CNCF distribution envelope or Harbor webhook), authenticated with Authorization: Bearer <webhook secret>. 202 once the work is saved.")
            .AllowAnonymous()
            .DisableAntiforgery();
        endpoints.MapPost("/api/v1/registries/{id:int}/webhook-secret", GenerateSecretAsync).WithTags("Registries").WithName("GenerateWebhookSecret")
            .WithSummary("A new webhook secret for the registry, shown once (the previous one stops working).")
            .RequireAuthorization(Policies.Administrator);
        return endpoints;
    }

    private static async Task<Results<Ok<WebhookSecretResource>, ProblemHttpResult>> GenerateSecretAsync(
        int id, RegistryWebhooks webhooks, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var secret = await webhooks.GenerateSecretAsync(id, Actor.NameOf(user), cancellationToken);
        return secret is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Registry not found.", detail: $"There is no registry with id {id}.")
            : TypedResults.Ok(new WebhookSecretResource(secret, RegistryWebhooks.EventsPath(id)));
    }

    private static async Task<IResult> ReceiveAsync(
        int registryId,
        HttpContext context,
        RegistryWebhooks webhooks,
        ExecutionLauncher launcher,
        IOptions<WebhookOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var request = context.Request;
        var access = await webhooks.CheckAsync(registryId, BearerSecret(request), cancellationToken);
        switch (access)
        {
            case WebhookAccess.UnknownRegistry:
                return Problem(StatusCodes.Status404NotFound, "Registry not found.", $"There is no registry with id {registryId}.");
            case WebhookAccess.NoSecretConfigured:
                return Problem(StatusCodes.Status401Unauthorized, "No webhook secret.", "Generate a webhook secret for this registry first, then send it as Authorization: Bearer <secret>.");
            case WebhookAccess.Refused:
                logger.LogWarning("Refused a notification for registry {RegistryId}: missing or wrong secret", registryId);
                return Problem(StatusCodes.Status401Unauthorized, "Wrong or missing webhook secret.", "Send the registry's webhook secret as Authorization: Bearer <secret>.");
            default:
                break;
        }

        var max = options.Value.MaxBodyBytes;
        if (request.ContentLength > max)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Notification too large.", $"Bodies up to {max} bytes are accepted.");
        }

        if (request.ContentType is { Length: > 0 } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not JSON.", $"Send {RegistryEventParser.DistributionMediaType} or application/json.");
        }

        var body = await ReadBoundedAsync(context, max, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Notification too large.", $"Bodies up to {max} bytes are accepted.");
        }

        if (!RegistryEventParser.TryParse(body, out var batch, out var error))
        {
            return Problem(StatusCodes.Status400BadRequest, "Notification not understood.", error);
        }

        var executions = await launcher.StartForEventsAsync(registryId, batch.Changes, cancellationToken);
        logger.LogInformation(
            "Registry {RegistryId} notified {Accepted} change(s) ({Ignored} ignored, {Format}); executions {Executions}",
            registryId, batch.Changes.Count, batch.Ignored, batch.Format, string.Join(", ", executions.Select(e => e.Id)));
        return TypedResults.Accepted((string?)null, new EventReceiptResource(batch.Changes.Count, batch.Ignored, executions.Select(e => e.Id).Distinct().ToList()));
    }

    /// <summary>The body, or null when it exceeds <paramref name="max"/> bytes (never reading more than that).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext context, long max, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static string? BearerSecret(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
