using Microsoft.Extensions.Options;

namespace Replication.Admin.Executions;

/// <summary>
/// Configuration section <c>Replication:Jobs</c>, the part about holding executions: a node that runs an execution
/// marks it with its name and a heartbeat; another node takes it over once the heartbeat is older than the lease.
/// </summary>
public sealed class ExecutionLeaseOptions
{
    /// <summary>
    /// This node's name in the executions it holds; empty: the machine's name. A node restarted under the same name
    /// takes its interrupted executions back at once; nodes on one machine need names of their own.
    /// </summary>
    public string NodeName { get; set; } = "";

    /// <summary>How often a node that holds an execution says it still runs it (and looks for a Stop from another node).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running execution whose heartbeat is older than this is taken over by another node (a dead node's runs resume within about this long).</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>This process as a node of the cluster: its name and its leases' timing.</summary>
public sealed class ExecutionNode(IOptions<ExecutionLeaseOptions> options)
{
    public string Name { get; } = string.IsNullOrWhiteSpace(options.Value.NodeName)
        ? Environment.MachineName
        : options.Value.NodeName.Trim();

    public TimeSpan HeartbeatInterval { get; } = options.Value.HeartbeatInterval;

    public TimeSpan LeaseTimeout { get; } = options.Value.LeaseTimeout;
}
