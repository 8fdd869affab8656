namespace Replication.Admin.Components.Pages.Executions;

/// <summary>One line of an execution's log as the page shows it: saved or live, with the task's destination.</summary>
public sealed record LogTailLine(long TaskId, DateTimeOffset At, string? Destination, string Message);
