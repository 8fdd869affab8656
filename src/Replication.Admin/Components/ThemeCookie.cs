namespace Replication.Admin.Components;

/// <summary>The light/dark choice is remembered in a cookie so the first paint already has the right colours.</summary>
public static class ThemeCookie
{
    public const string Name = "ra-theme";

    public static bool IsDark(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(request.Cookies[Name], "dark", StringComparison.Ordinal);
    }
}
