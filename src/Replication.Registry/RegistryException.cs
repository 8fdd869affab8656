using System.Net;

namespace Replication.Registry;

/// <summary>One entry of the OCI error body: <c>{"errors":[{"code":"…","message":"…"}]}</c>.</summary>
public sealed record RegistryError(string Code, string Message);

/// <summary>A registry said no. <see cref="Code"/> is the first OCI error code (MANIFEST_UNKNOWN, DENIED, UNSUPPORTED, …) when one was sent.</summary>
public class RegistryException : Exception
{
    public RegistryException(string message, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
    }

    public RegistryException()
        : this("The registry refused the request.")
    {
    }

    public RegistryException(string message)
        : this(message, null, null, null)
    {
    }

    public RegistryException(string message, Exception innerException)
        : this(message, null, null, innerException)
    {
    }

    public HttpStatusCode? StatusCode { get; }

    public IReadOnlyList<RegistryError> Errors { get; }

    public string? Code => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>Worth another try later: the network or the registry was having a moment, not a refusal.</summary>
    public bool IsTransient => StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || (int?)StatusCode >= 500;
}

/// <summary>The registry does not let this account list <c>/v2/_catalog</c>; repositories must be named explicitly.</summary>
public sealed class CatalogUnavailableException : RegistryException
{
    public CatalogUnavailableException(string message, HttpStatusCode? statusCode = null)
        : base(message, statusCode)
    {
    }

    public CatalogUnavailableException()
    {
    }

    public CatalogUnavailableException(string message)
        : base(message)
    {
    }

    public CatalogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
