using System.Net;
using System.Text;

namespace Replication.Registry.Http;

/// <summary>Turns registry responses into values and into errors an administrator can act on.</summary>
internal static class RegistryResponses
{
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    /// <summary>The <c>Location</c> header resolved against the request URI (registries send relative and absolute ones); its query is kept.</summary>
    public static Uri? Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        if (location is null)
        {
            return null;
        }

        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    /// <summary>Builds the exception for an unexpected status, reading the OCI error body when there is one.</summary>
    public static async Task<RegistryException> ErrorAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            body = [];
        }

        var errors = RegistryErrorBody.Parse(body);
        return new RegistryException(Describe(response, action, errors, body), response.StatusCode, errors);
    }

    public static string Describe(HttpResponseMessage response, string action, IReadOnlyList<RegistryError> errors, ReadOnlySpan<byte> body)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
        var why = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "the registry refused the credentials",
            HttpStatusCode.Forbidden => "access denied",
            HttpStatusCode.TooManyRequests => "the registry is rate limiting",
            HttpStatusCode.MethodNotAllowed when errors.Any(e => e.Code == RegistryErrorCodes.Unsupported) =>
                "the registry does not support this operation (for deletions: deleting is disabled in its configuration)",
            _ => null,
        };

        var sb = new StringBuilder($"Could not {action}: {status}");
        if (why is not null)
        {
            sb.Append(" (").Append(why).Append(')');
        }

        if (errors.Count > 0)
        {
            sb.Append(": ").AppendJoin("; ", errors.Select(e => string.IsNullOrEmpty(e.Message) ? e.Code : $"{e.Code} {e.Message}"));
        }
        else if (!body.IsEmpty && !LooksLikeHtml(body))
        {
            var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).Trim();
            if (text.Length > 0)
            {
                sb.Append(": ").Append(text);
            }
        }

        return sb.ToString();
    }

    public static bool LooksLikeHtml(ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 512)]).TrimStart();
        return head.StartsWith('<') && (head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<!doctype", StringComparison.OrdinalIgnoreCase));
    }
}
