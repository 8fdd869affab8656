using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Replication.Admin.Audit;

namespace Replication.Admin.Security;

/// <summary>
/// Logs and audits a signed-in account refused for its role (a Viewer changing something, or opening an administrators'
/// page), with the client address; then answers as ASP.NET Core does. Anonymous requests are sent to sign in without an
/// audit entry: a browser's first visit is not an attack, and failed credentials are audited where they are checked.
/// </summary>
public sealed class AuditedAuthorizationResultHandler(AuditLog audit, ILogger<AuditedAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler inner = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var who = Actor.NameOf(context.User);
            var target = $"{context.Request.Method} {context.Request.Path}";
            var address = ClientAddress.Of(context);
            logger.LogWarning("Refused {Target} to {UserName} from {Address}: not allowed for the account's role", target, who, address);
            await audit.RecordAsync(who, AuditActions.AccessDenied, target, $"not allowed for the account's role, from {address}", CancellationToken.None);
        }
        else if (authorizeResult.Challenged)
        {
            logger.LogDebug("Asked {Address} to sign in for {Method} {Path}", ClientAddress.Of(context), context.Request.Method, context.Request.Path);
        }

        await inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
