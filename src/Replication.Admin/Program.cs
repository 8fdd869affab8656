using Replication.Admin.Api;
using Replication.Admin.Components;
using Replication.Admin.Configuration;
using Replication.Admin.Dashboard;
using Replication.Admin.Data;
using Replication.Admin.Demo;
using Replication.Admin.ExecutionLogs;
using Replication.Admin.Executions;
using Replication.Admin.Hosting;
using Replication.Admin.Jobs;
using Replication.Admin.Notifications;
using Replication.Admin.Operations;
using Replication.Admin.Registries;
using Replication.Admin.RuleHistory;
using Replication.Admin.Rules;
using Replication.Admin.Security;

// Storage the node cannot use stops it before it serves anything: one line that says what to fix, exit code 1.
try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddReplicationDefaults();
    builder.AddReplicationData();
    builder.AddReplicationSecurity();
    builder.AddReplicationRegistries();
    builder.AddReplicationRules();
    builder.AddReplicationConfiguration();
    builder.AddReplicationExecutions();
    builder.AddReplicationExecutionLogs();
    builder.AddReplicationRuleHistory();
    builder.AddReplicationDashboard();
    builder.AddReplicationJobs();
    builder.AddReplicationApi();
    builder.AddReplicationOperations();
    builder.AddReplicationNotifications();
    builder.AddReplicationUi();
    builder.AddReplicationDemo();

    var app = builder.Build();

    app.UseReplicationPipeline();
    app.MapReplicationJobs();
    app.MapConfigEndpoints();
    app.MapExecutionLogEndpoints();
    app.MapReplicationOperations();

    app.Run();
    return 0;
}
catch (Exception exception) when (StorageConfigurationException.Find(exception) is { } cause)
{
    Console.Error.WriteLine($"Replication Admin cannot start: {cause.Message}");
    return 1;
}

/// <summary>Entry point; public so in-process host tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
