using System.Globalization;
using System.Text;

namespace Replication.Admin.ExecutionLogs;

/// <summary>
/// Downloadable logs: <c>GET /api/v1/executions/{id}/log</c> (every task's lines) and
/// <c>GET /api/v1/executions/{id}/tasks/{taskId}/log</c> (one task's), as text/plain attachments. Any account may read.
/// </summary>
public static class ExecutionLogEndpoints
{
    public static string ExecutionLogPath(long executionId) => string.Create(CultureInfo.InvariantCulture, $"/api/v1/executions/{executionId}/log");

    public static string TaskLogPath(long executionId, long taskId) => string.Create(CultureInfo.InvariantCulture, $"/api/v1/executions/{executionId}/tasks/{taskId}/log");

    public static IEndpointRouteBuilder MapExecutionLogEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/executions/{id:long}/log", ExecutionLogAsync).WithTags("Executions").WithName("DownloadExecutionLog")
            .WithSummary("The execution's log as a text file: its outcome, then each task's lines under its start time, duration and throughput.")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").ProducesProblem(StatusCodes.Status404NotFound);
        endpoints.MapGet("/api/v1/executions/{id:long}/tasks/{taskId:long}/log", TaskLogAsync).WithTags("Executions").WithName("DownloadTaskLog")
            .WithSummary("One task's own log lines as a text file, under its start time, duration and throughput.")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task ExecutionLogAsync(long id, HttpContext context, ExecutionLogText logs)
    {
        var response = context.Response;
        if (await logs.FindExecutionAsync(id, context.RequestAborted) is null)
        {
            await NotFound(context, $"There is no execution with id {id}.");
            return;
        }

        Attachment(response, $"execution-{id}.log");
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await logs.WriteExecutionAsync(id, writer, context.RequestAborted);
    }

    private static async Task TaskLogAsync(long id, long taskId, HttpContext context, ExecutionLogText logs)
    {
        var task = await logs.FindTaskAsync(id, taskId, context.RequestAborted);
        if (task is null)
        {
            await NotFound(context, $"Execution {id} has no task {taskId}.");
            return;
        }

        Attachment(context.Response, $"execution-{id}-task-{taskId}.log");
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await ExecutionLogText.WriteTaskAsync(task, writer);
    }

    private static void Attachment(HttpResponse response, string fileName)
    {
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
    }

    private static Task NotFound(HttpContext context, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail).ExecuteAsync(context);
}
