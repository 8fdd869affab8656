using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Replication.Admin.Notifications;
using Replication.Admin.Security;
using Replication.Admin.Security.Tokens;

namespace Replication.Admin.Api;

public static class ApiExtensions
{
    /// <summary>The interactive API reference (Scalar).</summary>
    public const string ScalarPath = "/api-reference";

    /// <summary>JSON API under <c>/api/v1</c>, described at <c>/openapi/v1.json</c>.</summary>
    public static WebApplicationBuilder AddReplicationApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));

        // Bodies that do not bind throw, so ApiRequestErrors can say why in every environment (not a bare 400).
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.SectionName));

        builder.Services.AddOpenApi(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            if (ApiJson.IsAcceptedReadOnly(context.JsonPropertyInfo))
            {
                schema.ReadOnly = true;
                schema.Description = ApiJson.ReadOnlyDescription;
            }

            return Task.CompletedTask;
        }).AddOperationTransformer((operation, _, _) =>
        {
            // Every body is read up to a limit (ApiBodyLimits) and refused whole beyond it.
            if (operation.RequestBody is not null)
            {
                operation.Responses ??= [];
                operation.Responses.TryAdd("413", new OpenApiResponse { Description = "The body is over the route's limit (Api:MaxBodyBytes); nothing was read or changed." });
            }

            return Task.CompletedTask;
        }).AddOperationTransformer(OpenApiResponses.TransformAsync).AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Replication Admin API";
            document.Info.Description = "Registries, replication rules and executions. Authenticate with HTTP Basic and a portal account, or with an API token as Bearer.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "User name and password of a Replication Admin account. Viewers may read; administrators may also change. "
                    + "A client address that sends too many wrong passwords is answered 429 with Retry-After for a while; the account itself is never locked by them.",
            };
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API token (POST /api/v1/tokens), with the role and expiry it was made with. Wrong tokens count against the client address like wrong passwords.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] });
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Problem details for requests the API cannot read; goes first in the <c>/api</c> branch.</summary>
    public static IApplicationBuilder UseReplicationApiErrors(this IApplicationBuilder api) => api.UseMiddleware<ApiRequestErrors>();

    /// <summary>Body limits of <c>/api</c> routes; after routing, which tells a route's own limit.</summary>
    public static IApplicationBuilder UseReplicationApiLimits(this IApplicationBuilder app) =>
        app.UseWhen(context => SecurityExtensions.IsApi(context.Request), api => api.UseMiddleware<ApiBodyLimits>());

    public static WebApplication MapReplicationApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The description of the API is not a secret; tools fetch it before they have credentials.
        app.MapOpenApi().AllowAnonymous();

        // The interactive reference is for signed-in users (the fallback policy); its scripts run by this response's CSP nonce.
        app.MapScalarApiReference(ScalarPath, (options, context) => options
            .WithTitle("Replication Admin API")
            .WithNonce(Hosting.SecurityHeaders.NonceOf(context))
            .DisableDefaultFonts());
        app.MapRegistryEndpoints();
        app.MapExecutionEndpoints();
        app.MapWebhookEndpoints();
        app.MapRuleEndpoints();
        app.MapAuditEndpoints();
        app.MapPasswordEndpoints();
        app.MapTokenEndpoints();
        app.MapNotificationEndpoints();
        return app;
    }
}
