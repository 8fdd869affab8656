namespace Replication.Admin.Rules;

/// <summary>The one set of rules for a replication rule's fields, used by the dialog and the API alike.</summary>
public static class ReplicationRuleValidator
{
    public const int NameMaxLength = 64;
    public const int DescriptionMaxLength = 1000;
    public const int ProjectMaxLength = 255;
    public const int CronMaxLength = 128;
}
