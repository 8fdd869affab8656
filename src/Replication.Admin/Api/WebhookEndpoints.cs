using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Replication.Admin.Audit;
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
        ArgumentNullException.ThrowIfNull(endpoints);
        var maxBodyBytes = endpoints.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxBodyBytes;
        endpoints.MapPost("/api/v1/events/{registryId:int}", ReceiveAsync).WithTags("Events").WithName("ReceiveRegistryEvents")
            .WithSummary("Registry notifications (CNCF distribution envelope or Harbor webhook), authenticated with Authorization: Bearer <webhook secret>. 202 once the work is saved.")
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new BodySizeLimit(maxBodyBytes));
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
        FailedAttemptLimiter limiter,
        AuditLog audit,
        IProblemDetailsService problems,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var request = context.Request;
        var partition = ClientAddress.PartitionOf(context);
        var address = ClientAddress.Of(context);

        // An address that sent too many wrong secrets is refused before its body is read or its secret compared.
        if (limiter.IsRefused(AttemptKind.WebhookSecret, partition, out var retryAfter))
        {
            logger.LogInformation("Refused a notification for registry {RegistryId} from {Address}: too many refused notifications from there", registryId, address);
            return new ThrottledResult(problems, retryAfter);
        }

        var access = await webhooks.CheckAsync(registryId, BearerSecret(request), cancellationToken);
        if (access != WebhookAccess.Granted)
        {
            var (status, title, detail, reason) = access switch
            {
                WebhookAccess.UnknownRegistry => (StatusCodes.Status404NotFound, "Registry not found.", $"There is no registry with id {registryId}.", "no such registry"),
                WebhookAccess.NoSecretConfigured => (StatusCodes.Status401Unauthorized, "No webhook secret.",
                    "Generate a webhook secret for this registry first, then send it as Authorization: Bearer <secret>.", "no webhook secret generated for the registry"),
                _ => (StatusCodes.Status401Unauthorized, "Wrong or missing webhook secret.", "Send the registry's webhook secret as Authorization: Bearer <secret>.", "missing or wrong secret"),
            };
            var nowRefused = limiter.RecordFailure(AttemptKind.WebhookSecret, partition, out retryAfter);
            logger.LogWarning("Refused a notification for registry {RegistryId} from {Address}: {Reason}", registryId, address, reason);

            // Not the request's token: a sender that hangs up at once must still leave its trace.
            await audit.RecordAsync("anonymous", AuditActions.WebhookRefused, $"registry {registryId} webhook", $"{reason}, from {address}", CancellationToken.None);
            if (nowRefused)
            {
                var minutes = Math.Ceiling(retryAfter.TotalMinutes);
                logger.LogWarning("Too many refused notifications from {Address}: refusing its notifications for up to {Minutes} min", address, minutes);
                await audit.RecordAsync("anonymous", AuditActions.WebhookThrottled, $"registry {registryId} webhook",
                    $"too many refused notifications from {address}: its notifications are refused for up to {minutes} min", CancellationToken.None);
            }

            return Problem(status, title, detail);
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

    /// <summary>429 with Retry-After, written as HTTP Basic's refusals are.</summary>
    private sealed class ThrottledResult(IProblemDetailsService problems, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => BasicAuthenticationHandler.WriteThrottledAsync(httpContext, problems, retryAfter);
    }
}
