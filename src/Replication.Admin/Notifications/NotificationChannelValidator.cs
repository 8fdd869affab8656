using MimeKit;

namespace Replication.Admin.Notifications;

/// <summary>What a channel is made of, as the dialog and the API send it.</summary>
public sealed record NotificationChannelInput(string? Name, string? Kind, string? Target, string? Secret, IReadOnlyList<string>? Events, IReadOnlyList<int>? RuleIds);

/// <summary>Checks a channel before anything is saved; each error names the field and what to do.</summary>
public static class NotificationChannelValidator
{
    public static Dictionary<string, string[]> Validate(NotificationChannelInput input, ISet<int> existingRuleIds, bool hasSavedSecret)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(existingRuleIds);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            errors["name"] = ["Name is required (up to 100 characters)."];
        }

        if (input.Kind is null || !ChannelKinds.All.Contains(input.Kind))
        {
            errors["kind"] = ["Kind must be 'webhook', 'slack' or 'email'."];
        }
        else if (input.Kind == ChannelKinds.Email)
        {
            var addresses = SplitAddresses(input.Target ?? "");
            if (addresses.Count == 0 || addresses.Any(a => !MailboxAddress.TryParse(a, out var parsed) || !parsed.Address.Contains('@', StringComparison.Ordinal)))
            {
                errors["target"] = ["Target must be one or more e-mail addresses, separated by commas (e.g. 'ops@example.com')."];
            }
        }
        else if (!(input.Kind == ChannelKinds.Slack && string.IsNullOrEmpty(input.Target) && hasSavedSecret) && !IsHttpUrl(input.Target))
        {
            errors["target"] = [input.Kind == ChannelKinds.Slack
                ? "Target must be the Slack incoming webhook URL (https://hooks.slack.com/services/…)."
                : "Target must be an http or https URL the alert is POSTed to."];
        }

        if (input.Secret is { Length: > 0 and < 16 } && input.Kind == ChannelKinds.Webhook)
        {
            errors["secret"] = ["The signing secret needs at least 16 characters; leave it empty to have one generated."];
        }

        if (input.Events is not { Count: > 0 } || input.Events.Any(e => !NotificationEvents.All.Contains(e)))
        {
            errors["events"] = [$"Choose at least one event of: {string.Join(", ", NotificationEvents.All)}."];
        }

        var missing = (input.RuleIds ?? []).Where(id => !existingRuleIds.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            errors["ruleIds"] = [$"No replication rule has id {string.Join(", ", missing)}. Leave the list empty for every rule."];
        }

        return errors;
    }

    public static IReadOnlyList<string> SplitAddresses(string value) =>
        value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);
}
