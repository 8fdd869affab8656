namespace Replication.Admin.Webhooks;

/// <summary>Configuration section <c>Replication:Webhooks</c>: the registry event receiver.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Replication:Webhooks";

    /// <summary>Largest notification body accepted; larger ones are refused with 413 before they are read.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
