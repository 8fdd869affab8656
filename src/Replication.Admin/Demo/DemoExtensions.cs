namespace Replication.Admin.Demo;

public static class DemoExtensions
{
    /// <summary>The demo set-up (<c>Demo:Enabled</c>, off unless configured): local registries, sample images, a sample rule.</summary>
    public static WebApplicationBuilder AddReplicationDemo(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.SectionName));
        builder.Services.AddSingleton<DemoEnvironment>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DemoEnvironment>());
        return builder;
    }
}
