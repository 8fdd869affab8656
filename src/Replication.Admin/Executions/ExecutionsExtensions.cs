namespace Replication.Admin.Executions;

public static class ExecutionsExtensions
{
    /// <summary>Executions' read side and live progress: <see cref="ExecutionQueries"/> and the <see cref="ExecutionNotifier"/>.</summary>
    public static WebApplicationBuilder AddReplicationExecutions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ExecutionOptions>().Bind(builder.Configuration.GetSection(ExecutionOptions.SectionName));
        builder.Services.AddSingleton<ExecutionNotifier>();
        builder.Services.AddSingleton<ExecutionQueries>();
        return builder;
    }
}
