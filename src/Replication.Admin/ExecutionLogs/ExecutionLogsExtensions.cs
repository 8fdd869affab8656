namespace Replication.Admin.ExecutionLogs;

public static class ExecutionLogsExtensions
{
    /// <summary>Execution and task logs as downloadable text files.</summary>
    public static WebApplicationBuilder AddReplicationExecutionLogs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<ExecutionLogText>();
        return builder;
    }
}
