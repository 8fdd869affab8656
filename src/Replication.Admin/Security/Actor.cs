using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Replication.Admin.Security;

/// <summary>Who did something, as the audit log and the executions record it.</summary>
public static class Actor
{
    /// <summary>Recorded when no signed-in name is known.</summary>
    public const string Unknown = "unknown";

    /// <summary>The signed-in account's name.</summary>
    public static string NameOf(ClaimsPrincipal? user) => user?.Identity?.Name ?? Unknown;

    /// <summary>The signed-in account's name from a component's cascaded authentication state.</summary>
    public static async Task<string> NameOfAsync(Task<AuthenticationState>? state) =>
        state is null ? Unknown : NameOf((await state).User);
}
