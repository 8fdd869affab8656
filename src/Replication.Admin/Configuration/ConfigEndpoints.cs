using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Security;

namespace Replication.Admin.Configuration;

/// <summary><c>/api/v1/config</c>: export (any account) and import (administrators) of registries and rules as YAML.</summary>
public static class ConfigEndpoints
{
    public const string Path = "/api/v1/config";

    public static IEndpointRouteBuilder MapConfigEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ExportAsync).WithTags("Configuration").WithName("ExportConfiguration")
            .WithSummary("Registries (without secrets) and rules as one YAML document.");
        endpoints.MapPost(Path, ImportAsync).WithTags("Configuration").WithName("ImportConfiguration")
            .WithSummary("Import YAML (format native, regsync or skopeo; skopeo also needs destination). dryRun=true says what would be created, changed and left alone; " +
                "dryRun=false applies it all in one transaction. 400 with field errors (or the line and column of a YAML problem) changes nothing.")
            .Accepts<string>("application/yaml", "text/yaml", "text/plain")
            .RequireAuthorization(Policies.Administrator);
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(ConfigExporter exporter, CancellationToken cancellationToken)
    {
        var yaml = await exporter.ExportAsync(cancellationToken);
        return TypedResults.File(Encoding.UTF8.GetBytes(yaml), "application/yaml; charset=utf-8", ConfigExporter.FileName);
    }

    private static async Task<Results<Ok<ConfigImportResource>, ProblemHttpResult>> ImportAsync(
        HttpRequest request,
        ConfigImporter importer,
        ClaimsPrincipal user,
        bool? dryRun,
        string? format,
        string? destination,
        CancellationToken cancellationToken)
    {
        if (ParseFormat(format) is not { } parsed)
        {
            return Problem("The format is not known.", "Use format=native (this app's YAML, the default), regsync or skopeo.", new Dictionary<string, string[]>
            {
                ["format"] = ["Use native, regsync or skopeo."],
            });
        }

        string text;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            var buffer = new char[ConfigYaml.MaxLength + 1];
            var read = await reader.ReadBlockAsync(buffer, cancellationToken);
            text = new string(buffer, 0, read);
        }

        var result = await importer.ImportAsync(new ConfigImportRequest(text, parsed, dryRun ?? false, Destination: destination), Actor.NameOf(user), cancellationToken);
        if (result.SyntaxError is { } syntax)
        {
            var problem = Problem("The file could not be read; nothing was changed.", syntax.Message, new Dictionary<string, string[]> { ["file"] = [syntax.Message] });
            problem.ProblemDetails.Extensions["line"] = syntax.Line;
            problem.ProblemDetails.Extensions["column"] = syntax.Column;
            return problem;
        }

        if (!result.Succeeded)
        {
            var problem = Problem("The import was refused; nothing was changed. Fix the entries listed in errors.", null, result.Errors);
            problem.ProblemDetails.Extensions["plan"] = ConfigImportResource.From(result);
            return problem;
        }

        return TypedResults.Ok(ConfigImportResource.From(result));
    }

    private static ConfigFormat? ParseFormat(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" or "native" or "yaml" => ConfigFormat.Native,
        "regsync" => ConfigFormat.Regsync,
        "skopeo" or "skopeo-sync" => ConfigFormat.Skopeo,
        _ => null,
    };

    private static ProblemHttpResult Problem(string title, string? detail, IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(p => p.Key, p => p.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
            Detail = detail,
        });
}

/// <summary><c>{"create":[...],"change":[...],"unchanged":[...],"unsupported":[{"entry","reason"}],"applied":bool}</c>.</summary>
public sealed record ConfigImportResource(
    IReadOnlyList<ConfigItem> Create,
    IReadOnlyList<ConfigItem> Change,
    IReadOnlyList<ConfigItem> Unchanged,
    IReadOnlyList<UnsupportedEntry> Unsupported,
    bool Applied)
{
    public static ConfigImportResource From(ConfigImportResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ConfigImportResource(result.Create, result.Change, result.Unchanged, result.Unsupported, result.Applied);
    }
}
