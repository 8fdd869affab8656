using Replication.Engine;
using Replication.Registry;

namespace Replication.Admin.Rules;

/// <summary>Engine failures of a rule in the words of the dialog, so the message points at the field that fixes it.</summary>
public static class RuleProblems
{
    public const string CatalogRefused =
        "The source registry does not allow listing its repositories to this account (catalog access refused; Docker Hub never does). " +
        "Enter the repositories to replicate in the rule's Repository names field, relative to the source project (e.g. app, tools/cli).";

    /// <summary>True when the source registry refused <c>/v2/_catalog</c>.</summary>
    public static bool IsCatalogRefusal(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is CatalogUnavailableException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The message to show for a failed plan or preview.</summary>
    public static string Describe(ReplicationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return IsCatalogRefusal(exception) ? CatalogRefused : exception.Message;
    }
}
