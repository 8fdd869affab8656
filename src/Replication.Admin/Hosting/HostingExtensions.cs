using Microsoft.Extensions.FileProviders;
using Replication.Admin.Api;
using Replication.Admin.Components;
using Replication.Admin.Security;

namespace Replication.Admin.Hosting;

/// <summary>The building blocks Program.cs composes, one per concern.</summary>
public static class HostingExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Where the build copies <c>wwwroot-assets/</c>.</summary>
    public static string BrandDirectory => Path.Combine(AppContext.BaseDirectory, "wwwroot", "brand");

    public static WebApplicationBuilder AddReplicationDefaults(this WebApplicationBuilder builder)
    {
        // --urls, ASPNETCORE_URLS and the launch profile all win over this default.
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Serve package assets (MudBlazor, the Blazor script) from the build output in every environment, not only
        // Development, so `dotnet run --no-launch-profile` works too; a published app has no such manifest and is unaffected.
        builder.WebHost.UseStaticWebAssets();

        // Which server answers is nobody's business.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Sent only over HTTPS (and never for localhost). Not includeSubDomains: the portal does not own its parent domain.
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        builder.AddTrustedProxies();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>Re-executes empty 404s of GET requests as <c>/not-found</c>; other methods and codes answer as they are.</summary>
    private static IApplicationBuilder UseNotFoundPage(this IApplicationBuilder pages)
    {
        pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        return pages.Use(async (context, next) =>
        {
            await next(context);

            // Runs before the status code pages look at the answer: only a GET's 404 becomes the page.
            if ((context.Response.StatusCode != StatusCodes.Status404NotFound || !HttpMethods.IsGet(context.Request.Method))
                && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } feature)
            {
                feature.Enabled = false;
            }
        });
    }

    public static WebApplication UseReplicationPipeline(this WebApplication app)
    {
        // First, so the limits and the audit trail see the client behind a trusted proxy, and HSTS sees its HTTPS.
        app.UseTrustedProxies(app.Configuration);

        // Before error handling, so error pages carry the headers too.
        app.UseHsts();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        // Requests that cannot be read throw (for ApiRequestErrors); a page's (a form without its antiforgery token) is
        // the client's mistake, answered with its status code as before, not with the error page.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = exception.StatusCode;
            }
        });

        // API clients get problem details for unreadable requests and bare status codes; pages keep the browser's own handling.
        app.UseWhen(context => SecurityExtensions.IsApi(context.Request), api => api.UseReplicationApiErrors().UseStatusCodePages());

        // An unknown page is the app's own "Page not found" inside the layout (with its 404), not the browser's blank page.
        app.UseWhen(context => !SecurityExtensions.IsApi(context.Request), pages => pages.UseNotFoundPage());

        // The brand assets (logo, favicon, CSS) are public: the sign-in page needs them before anyone is signed in.
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(BrandDirectory),
            RequestPath = "/brand",
        });

        // Routing after the brand files, so no catch-all endpoint (such as the static assets' file fallback) claims them first.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseReplicationApiLimits();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapReplicationApi();
        app.MapAccountEndpoints();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null); // SecurityHeaders sends the whole policy, frame-ancestors included
        return app;
    }
}
