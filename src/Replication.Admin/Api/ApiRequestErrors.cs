using System.Text.Json;
using Replication.Admin.Security;

namespace Replication.Admin.Api;

/// <summary>
/// Turns a request the API could not read (malformed JSON, an unknown or mistyped field, a body over the limit, a bad
/// query value) into problem details that name what is wrong, in every environment. Binding failures are thrown for this
/// (<c>RouteHandlerOptions.ThrowOnBadRequest</c>); otherwise production would answer a bare 400.
/// </summary>
public sealed class ApiRequestErrors(RequestDelegate next, IProblemDetailsService problems, ILogger<ApiRequestErrors> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            logger.LogInformation("Refused {Method} {Path} from {Address}: {Status} {Reason}",
                context.Request.Method, context.Request.Path, ClientAddress.Of(context), exception.StatusCode, exception.InnerException?.Message ?? exception.Message);
            context.Response.Clear();
            context.Response.StatusCode = exception.StatusCode;
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = Describe(exception, context.Request) });
        }
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails Describe(BadHttpRequestException exception, HttpRequest request)
    {
        if (exception.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            var message = json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
                ? $"'{field}' is not a field of this resource. Check its spelling (fields are camelCase) or leave it out."
                : json.InnerException is JsonException || string.IsNullOrEmpty(field)
                    ? $"The body is not a valid JSON object of this resource (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1})."
                    : $"'{field}' has a value of the wrong type. See the schema in /openapi/v1.json.";
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [string.IsNullOrEmpty(field) ? "$" : field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body was not read: fix the fields listed in errors.",
            };
        }

        if (exception.StatusCode == StatusCodes.Status400BadRequest && request.ContentLength == 0)
        {
            return new() { Status = exception.StatusCode, Title = "The request body is empty.", Detail = "Send the resource as a JSON object." };
        }

        return exception.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => new() { Status = exception.StatusCode, Title = "The request body is too large.", Detail = exception.Message },
            StatusCodes.Status415UnsupportedMediaType => new() { Status = exception.StatusCode, Title = "Send JSON.", Detail = "Send the body as application/json." },
            _ => new() { Status = exception.StatusCode, Title = "The request was not understood.", Detail = exception.Message },
        };
    }

    // "$.trigger.overide" -> "trigger.overide"; "$['odd name']" -> "odd name".
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }
}
