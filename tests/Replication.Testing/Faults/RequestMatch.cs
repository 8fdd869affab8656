using System.Text.RegularExpressions;

namespace Replication.Testing.Faults;

/// <summary>Which requests a fault or a counter applies to: method, path pattern and optionally a query fragment.</summary>
/// <param name="Method">HTTP method, or null for any.</param>
/// <param name="Path">Regular expression matched against the request path (without query).</param>
/// <param name="QueryContains">Text the query string must contain (e.g. <c>mount=</c>), or null.</param>
public sealed record RequestMatch(string? Method, Regex Path, string? QueryContains = null)
{
    private const string Name = "[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*";

    /// <summary>Every request.</summary>
    public static RequestMatch Any { get; } = new(null, Pattern(".*"));

    /// <summary><c>GET /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: blob downloads.</summary>
    public static RequestMatch BlobGet { get; } = new("GET", Pattern($"^/v2/{Name}/blobs/sha256:[a-f0-9]+$"));

    /// <summary><c>HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: blob existence checks.</summary>
    public static RequestMatch BlobHead { get; } = new("HEAD", Pattern($"^/v2/{Name}/blobs/sha256:[a-f0-9]+$"));

    /// <summary><c>POST /v2/&lt;name&gt;/blobs/uploads/</c>: upload starts, mounts included.</summary>
    public static RequestMatch UploadStart { get; } = new("POST", Pattern($"^/v2/{Name}/blobs/uploads/?$"));

    /// <summary><c>POST /v2/&lt;name&gt;/blobs/uploads/?mount=...&amp;from=...</c>: cross-repository mounts.</summary>
    public static RequestMatch Mount { get; } = UploadStart with { QueryContains = "mount=" };

    /// <summary><c>PATCH /v2/&lt;name&gt;/blobs/uploads/&lt;id&gt;</c>: upload chunks.</summary>
    public static RequestMatch UploadPatch { get; } = new("PATCH", Pattern($"^/v2/{Name}/blobs/uploads/[^/]+$"));

    /// <summary><c>PUT /v2/&lt;name&gt;/blobs/uploads/&lt;id&gt;?digest=</c>: upload completions (monolithic or last chunk).</summary>
    public static RequestMatch UploadPut { get; } = new("PUT", Pattern($"^/v2/{Name}/blobs/uploads/[^/]+$"));

    /// <summary><c>GET /v2/&lt;name&gt;/blobs/uploads/&lt;id&gt;</c>: upload status queries (resume).</summary>
    public static RequestMatch UploadStatus { get; } = new("GET", Pattern($"^/v2/{Name}/blobs/uploads/[^/]+$"));

    /// <summary><c>GET /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    public static RequestMatch ManifestGet { get; } = new("GET", Pattern($"^/v2/{Name}/manifests/[^/]+$"));

    /// <summary><c>HEAD /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    public static RequestMatch ManifestHead { get; } = new("HEAD", Pattern($"^/v2/{Name}/manifests/[^/]+$"));

    /// <summary><c>PUT /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    public static RequestMatch ManifestPut { get; } = new("PUT", Pattern($"^/v2/{Name}/manifests/[^/]+$"));

    /// <summary><c>DELETE /v2/&lt;name&gt;/manifests/&lt;digest&gt;</c>.</summary>
    public static RequestMatch ManifestDelete { get; } = new("DELETE", Pattern($"^/v2/{Name}/manifests/[^/]+$"));

    /// <summary><c>GET /v2/&lt;name&gt;/tags/list</c>.</summary>
    public static RequestMatch TagList { get; } = new("GET", Pattern($"^/v2/{Name}/tags/list$"));

    /// <summary><c>GET /v2/_catalog</c>.</summary>
    public static RequestMatch Catalog { get; } = new("GET", Pattern("^/v2/_catalog$"));

    /// <summary>A custom match; <paramref name="pathRegex"/> is a .NET regular expression over the path.</summary>
    public static RequestMatch Of(string? method, string pathRegex, string? queryContains = null) =>
        new(method, Pattern(pathRegex), queryContains);

    /// <summary>This match restricted to one repository, e.g. <c>RequestMatch.BlobGet.In("team/app")</c>.</summary>
    public RequestMatch In(string repository) =>
        this with { Path = Pattern(Path.ToString().Replace(Name, Regex.Escape(repository), StringComparison.Ordinal)) };

    /// <summary>Whether a request matches.</summary>
    public bool Matches(string method, string path, string query) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && Path.IsMatch(path)
        && (QueryContains is null || query.Contains(QueryContains, StringComparison.Ordinal));

    /// <summary>Reads like the request line it matches.</summary>
    public override string ToString() => $"{Method ?? "*"} {Path}{(QueryContains is null ? string.Empty : $" ?{QueryContains}")}";

    private static Regex Pattern(string pattern) => new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
}
