using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Every route the app maps, read from its endpoint data source, so a route added tomorrow is in every boundary test
/// without anyone listing it.
/// </summary>
public static partial class Routes
{
    /// <summary>
    /// The routes open without an account, each on purpose, with the reason. Opening a route is a security decision:
    /// add it here with its reason and to the threat model in README.md (health and metrics endpoints, when they come,
    /// belong here). Files served by MapStaticAssets (CSS, scripts, robots.txt) are open as a kind and not listed.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AnonymousByDesign = new Dictionary<string, string>
    {
        ["GET,POST /account/login"] = "the sign-in page and its form",
        ["POST /api/v1/events/{registryId:int}"] = "registries' notifications, authenticated by the registry's own webhook secret",
        ["GET /openapi/{documentName}.json"] = "the API's description: tools read it before they have credentials, and it holds no data",
        ["GET,POST /error"] = "the error page, which must render for anyone a failure happens to",
        ["* /healthz/live"] = "liveness for load balancers and orchestrators: one word, no data",
        ["GET /api-reference/favicon.svg"] = "the API reference's icon (Scalar): a static file like the app's own",
        ["GET /api-reference/scalar.aspnetcore.js"] = "the API reference's script (Scalar): a static file like the app's own",
        ["GET /api-reference/scalar.js"] = "the API reference's script bundle (Scalar): a static file like the app's own",
        ["* /healthz/ready"] = "readiness (database, job storage, free space) for load balancers: one word, no data",
    };

    /// <summary>API routes that change something and are open to every account, each on purpose, with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> ForEveryAccount = new Dictionary<string, string>
    {
        ["POST /api/v1/account/password"] = "every account changes its own password, proving the current one",
    };

    public static IReadOnlyList<Route> Of(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null)
            .Select(e => new Route(e))
            .ToList();

    public sealed partial class Route(RouteEndpoint endpoint)
    {
        public RouteEndpoint Endpoint { get; } = endpoint;

        public string Pattern => "/" + Endpoint.RoutePattern.RawText!.TrimStart('/');

        /// <summary>The HTTP methods it answers; empty means any.</summary>
        public IReadOnlyList<string> Methods => Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Order(StringComparer.Ordinal).ToList() ?? [];

        /// <summary>Methods to call it with: its own, or GET and POST for a route that takes any.</summary>
        public IReadOnlyList<string> MethodsToTry => Methods.Count > 0 ? Methods.Where(m => m != "HEAD").ToList() : ["GET", "POST"];

        /// <summary>"GET,POST /account/login", as <see cref="AnonymousByDesign"/> names routes.</summary>
        public string Key => $"{(Methods.Count == 0 ? "*" : string.Join(",", Methods.Where(m => m != "HEAD")))} {Pattern}";

        /// <summary>A body the route takes: routing refuses other media types (415) before authorization runs.</summary>
        public HttpContent SampleBody() =>
            Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes is [var accepted, ..] && !accepted.Contains("json", StringComparison.Ordinal)
                ? new StringContent("", System.Text.Encoding.UTF8, accepted)
                : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

        public bool IsAnonymous => Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

        public bool IsApi => Pattern.StartsWith("/api/", StringComparison.Ordinal);

        public bool RequiresAdministrator => Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Any(a => a.Policy == Replication.Admin.Security.Policies.Administrator || a.Roles?.Contains(Replication.Admin.Security.Roles.Administrator, StringComparison.Ordinal) == true);

        /// <summary>A path that matches the pattern: numbers for numeric parameters, a file name for file ones.</summary>
        public string SamplePath => Parameter().Replace(Pattern, m => m.Groups["constraint"].Value switch
        {
            "int" or "long" => "1",
            "file" => "sample.txt",
            _ => "sample",
        });

        public override string ToString() => Key;

        [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z]+)(:(?<constraint>[a-z]+))?\??\}")]
        private static partial Regex Parameter();
    }
}
