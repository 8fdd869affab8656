using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Replication.Admin.Security;

namespace Replication.Admin.Hosting;

/// <summary>
/// Headers on every response: no MIME sniffing, no Referer to other sites, and a Content-Security-Policy. Pages may run
/// only the app's own scripts (plus the import map Blazor writes inline, by a per-request nonce), talk only to their own
/// origin (the SignalR websocket included) and be framed only by themselves; MudBlazor's inline styles are allowed.
/// API answers are data: they may load nothing and be framed by nobody.
/// </summary>
public static partial class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    private const string NonceKey = "Replication.Admin.CspNonce";

    /// <summary>The nonce this response's policy allows inline scripts with (the import map); empty outside a page request.</summary>
    public static string NonceOf(HttpContext? context) => context?.Items[NonceKey] as string ?? "";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            Apply(context);
            return next(context);
        });

    /// <summary>The policy for a page answered on <paramref name="request"/>.</summary>
    public static string PagePolicy(HttpRequest request, string nonce)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 'self' covers the websocket in CSP Level 3 browsers; the explicit ws(s) source covers the others.
        var websocket = request.Host.HasValue && HostPattern().IsMatch(request.Host.Value)
            ? $" {(request.IsHttps ? "wss" : "ws")}://{request.Host.Value}"
            : "";
        return string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            $"connect-src 'self'{websocket}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'");
    }

    private static void Apply(HttpContext context)
    {
        var api = SecurityExtensions.IsApi(context.Request);
        var nonce = api ? "" : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (!api)
        {
            context.Items[NonceKey] = nonce;
        }

        // Set as the response starts, so answers that cleared the response on their way (error handling) carry them too.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = api ? ApiPolicy : PagePolicy(context.Request, nonce);
            return Task.CompletedTask;
        });
    }

    // Host names, IPv4 and bracketed IPv6 with an optional port: nothing that could end the directive.
    [GeneratedRegex(@"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")]
    private static partial Regex HostPattern();
}
