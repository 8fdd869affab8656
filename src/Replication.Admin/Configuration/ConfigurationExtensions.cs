namespace Replication.Admin.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>Rules as code: export and import of registries and rules as YAML (also from regsync and skopeo sync files).</summary>
    public static WebApplicationBuilder AddReplicationConfiguration(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<ConfigExporter>();
        builder.Services.AddScoped<ConfigImporter>();
        return builder;
    }
}
