using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Replication.Admin.Api;

public static class ApiExtensions
{
    /// <summary>JSON API under <c>/api/v1</c>, described at <c>/openapi/v1.json</c>.</summary>
    public static WebApplicationBuilder AddReplicationApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Replication Admin API";
            document.Info.Description = "Registries, replication rules and executions. Authenticate with HTTP Basic and a portal account.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "User name and password of a Replication Admin account. Viewers may read; administrators may also change.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] });
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapReplicationApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The description of the API is not a secret; tools fetch it before they have credentials.
        app.MapOpenApi().AllowAnonymous();
        app.MapRegistryEndpoints();
        app.MapExecutionEndpoints();
        app.MapWebhookEndpoints();
        app.MapRuleEndpoints();
        app.MapAuditEndpoints();
        return app;
    }
}
