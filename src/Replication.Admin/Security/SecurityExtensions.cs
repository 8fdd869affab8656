using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Replication.Admin.Data;

namespace Replication.Admin.Security;

public static class SecurityExtensions
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string AccessDeniedPath = "/account/access-denied";

    /// <summary>Identity accounts and roles, cookie sign-in for the browser, HTTP Basic for the API, every page behind an account.</summary>
    public static WebApplicationBuilder AddReplicationSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AdminOptions>().Bind(builder.Configuration.GetSection(AdminOptions.SectionName));

        services.AddIdentityCore<IdentityUser>(options =>
            {
                options.Password.RequiredLength = 8;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = true;
                options.Password.RequireNonAlphanumeric = false;
                // A lockout set on an account is honoured, but failed passwords no longer lock one: they count per client
                // address (FailedAttemptLimiter), so a stranger cannot lock the administrator out. README: design decisions.
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ReplicationDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = AuthenticationSchemes.Portal;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(AuthenticationSchemes.Portal, "Cookie, HTTP Basic or API token", options =>
                options.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(AuthenticationSchemes.Basic, null)
            .AddScheme<AuthenticationSchemeOptions, Tokens.BearerTokenAuthenticationHandler>(AuthenticationSchemes.Bearer, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = ".ReplicationAdmin.Auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = LoginPath;
            options.LogoutPath = LogoutPath;
            options.AccessDeniedPath = AccessDeniedPath;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;

            // Automation never follows a redirect to an HTML form: the API answers 401 with a Basic challenge, or 403.
            options.Events.OnRedirectToLogin = context =>
            {
                if (IsApi(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = BasicAuthenticationHandler.Challenge;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
            options.Events.OnRedirectToAccessDenied = context =>
            {
                if (IsApi(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });

        // Role changes and removed accounts take effect within a minute, not at cookie expiry.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Administrator, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Administrator));

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddHostedService<FirstAdministratorSeeder>();
        services.AddSingleton<UserAccountService>();
        services.AddSingleton<VerifiedCredentials>();
        services.AddSingleton<Tokens.ApiTokenService>();
        services.AddOptions<FailedAttemptOptions>().Bind(builder.Configuration.GetSection(FailedAttemptOptions.SectionName));
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddScoped<PasswordSignIn>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>
    /// Basic anywhere; Bearer (an API token) on the API and <c>/metrics</c> (a remote Prometheus), except the registry
    /// event webhook, whose Bearer is a registry's webhook secret checked by the webhook itself; the cookie otherwise.
    /// </summary>
    internal static string SelectScheme(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticationSchemes.Basic;
        }

        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && ((IsApi(context.Request) && !context.Request.Path.StartsWithSegments("/api/v1/events", StringComparison.OrdinalIgnoreCase))
                || context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)))
        {
            return AuthenticationSchemes.Bearer;
        }

        return IdentityConstants.ApplicationScheme;
    }

    public static bool IsApi(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
    }
}
