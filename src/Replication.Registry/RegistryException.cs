using System.Net;

namespace Replication.Registry;

/// <summary>One entry of the OCI error body: <c>{"errors":[{"code":"…","message":"…","detail":…}]}</c>.</summary>
public sealed record RegistryError(string Code, string Message)
{
    /// <summary>The <c>detail</c> member as the registry sent it (a string, or raw JSON text), if any.</summary>
    public string? Detail { get; init; }
}

/// <summary>A registry said no. <see cref="Code"/> is the first OCI error code (MANIFEST_UNKNOWN, DENIED, UNSUPPORTED, …) when one was sent.</summary>
public class RegistryException : Exception
{
    public RegistryException(string message, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
    }

    /// <summary>A failure with no answer from the registry (a broken connection, an unreadable body): transient.</summary>
    public RegistryException(string message, Exception innerException)
        : this(message, null, null, innerException)
    {
    }

    public HttpStatusCode? StatusCode { get; }

    public IReadOnlyList<RegistryError> Errors { get; }

    public string? Code => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>Worth another try later: the network or the registry was having a moment, not a refusal.</summary>
    public virtual bool IsTransient => StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int?)StatusCode >= 500 && StatusCode is not (HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported));

    /// <summary>True when any error entry carries <paramref name="code"/> (see <see cref="RegistryErrorCodes"/>).</summary>
    public bool HasCode(string code) => Errors.Any(e => e.Code == code);
}

/// <summary>The error codes of the OCI distribution spec (and the ones distribution adds).</summary>
public static class RegistryErrorCodes
{
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string BlobUploadInvalid = "BLOB_UPLOAD_INVALID";
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    public const string DigestInvalid = "DIGEST_INVALID";
    public const string ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN";
    public const string ManifestInvalid = "MANIFEST_INVALID";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string NameInvalid = "NAME_INVALID";
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string SizeInvalid = "SIZE_INVALID";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";
}

/// <summary>The manifest is of a kind this tool does not copy (Docker schema 1). Retrying will not help.</summary>
public sealed class UnsupportedManifestException : RegistryException
{
    public UnsupportedManifestException(string message, string? mediaType)
        : base(message, null, [new RegistryError(RegistryErrorCodes.Unsupported, message)])
    {
        MediaType = mediaType;
    }

    public string? MediaType { get; }

    public override bool IsTransient => false;
}

/// <summary>Content did not hash to the digest it was asked for: the source is corrupt or changed. Retrying will not help.</summary>
public sealed class DigestMismatchException : RegistryException
{
    public DigestMismatchException(string expected, string actual, string what)
        : base($"{what}: expected digest {expected} but the content hashes to {actual}.", null, [new RegistryError(RegistryErrorCodes.DigestInvalid, "digest mismatch")])
    {
        Expected = expected;
        Actual = actual;
    }

    public string? Expected { get; }

    public string? Actual { get; }

    public override bool IsTransient => false;
}

/// <summary>The registry does not let this account list <c>/v2/_catalog</c>; repositories must be named explicitly.</summary>
public sealed class CatalogUnavailableException : RegistryException
{
    public override bool IsTransient => false;

    public CatalogUnavailableException(string message, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null)
        : base(message, statusCode, errors)
    {
    }
}
