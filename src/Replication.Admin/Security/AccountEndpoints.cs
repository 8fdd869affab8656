using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Replication.Admin.Security;

public static class AccountEndpoints
{
    /// <summary>Sign-out is a POST with an antiforgery token (the form in the user menu), so another site cannot sign a user out.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SecurityExtensions.LogoutPath, async (SignInManager<IdentityUser> signInManager, [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect(SecurityExtensions.LoginPath);
        }).ExcludeFromDescription();
        return endpoints;
    }
}
