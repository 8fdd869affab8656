using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Api;

/// <summary>Configuration section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest request body an <c>/api</c> route reads, unless the route declares its own limit (the registry webhook).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>A route's own body limit, as endpoint metadata (ASP.NET Core's routing applies it to the server too).</summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

/// <summary>
/// Refuses an <c>/api</c> body over its limit with 413 before a byte of it is read, when the client announced its length;
/// a chunked body is cut off by the server at the same limit while it is read.
/// </summary>
public sealed class ApiBodyLimits(RequestDelegate next, IOptions<ApiOptions> options, IProblemDetailsService problems, ILogger<ApiBodyLimits> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.Value.MaxBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            logger.LogInformation("Refused {Method} {Path} from {Address}: a body of {Length} bytes, over the limit of {Limit}",
                context.Request.Method, context.Request.Path, Security.ClientAddress.Of(context), context.Request.ContentLength, limit);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "The request body is too large.",
                    Detail = $"This route reads bodies up to {limit} bytes; this one announced {context.Request.ContentLength}.",
                },
            });
            return;
        }

        await next(context);
    }
}
