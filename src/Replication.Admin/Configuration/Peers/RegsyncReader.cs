using System.Text.RegularExpressions;
using Replication.Admin.Rules;
using YamlDotNet.RepresentationModel;
using static Replication.Admin.Configuration.Peers.PeerImages;

namespace Replication.Admin.Configuration.Peers;

/// <summary>
/// A regclient/regsync configuration (<c>version</c>, <c>creds</c>, <c>defaults</c>, <c>sync</c>) as registries and rules:
/// each <c>sync</c> entry of type <c>repository</c> or <c>image</c> becomes one rule, its hosts registries. An entry
/// with anything a rule cannot do exactly (a backup tag, a platform, a tag regex without an exact pattern, a renamed
/// repository) is listed as unsupported with the reason and not imported at all.
/// </summary>
public static partial class RegsyncReader
{
    private static readonly HashSet<string> TuningKeys = ["ratelimit", "parallel", "cacheCount", "cacheTime", "mediaTypes", "skipDockerConfig", "userAgent", "forceRecursive", "fastCopy", "includeExternal", "digestTags"];

    public static ImportSet Read(string text)
    {
        var set = new ImportSet();
        if (ConfigYaml.ReadTree(text) is not { } root)
        {
            return set;
        }

        var top = Mapping(root, "A regsync configuration");
        var creds = new Dictionary<string, Credentials>(StringComparer.OrdinalIgnoreCase);
        var defaults = new Settings();
        YamlSequenceNode? sync = null;
        foreach (var (keyNode, value) in top.Children)
        {
            var key = ScalarText(keyNode) ?? "";
            switch (key)
            {
                case "version":
                    if (ScalarText(value) is not ("1" or null))
                    {
                        throw ConfigSyntaxException.At(value, $"regsync configuration version {ScalarText(value)} is not known; version 1 is read.");
                    }

                    break;
                case "creds":
                    foreach (var entry in Sequence(value, "creds").Children)
                    {
                        var credential = ReadCredentials(Mapping(entry, "A creds entry"), set);
                        if (credential is not null)
                        {
                            creds[credential.Registry] = credential;
                        }
                    }

                    break;
                case "defaults":
                    defaults = ReadSettings(Mapping(value, "defaults"), "defaults", new Settings(), set);
                    break;
                case "sync":
                    sync = Sequence(value, "sync");
                    break;
                default:
                    if (!key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        set.Unsupported.Add(new UnsupportedEntry(key, "not a regsync setting this app knows; it was not imported"));
                    }

                    break;
            }
        }

        var ruleNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; sync is not null && i < sync.Children.Count; i++)
        {
            var node = Mapping(sync.Children[i], "A sync entry");
            var label = $"sync[{i}] {ScalarText(Child(node, "source"))} -> {ScalarText(Child(node, "target"))}";
            if (ReadSync(node, label, defaults, creds, ruleNames, set, out var reason) is not { } rule)
            {
                set.Unsupported.Add(new UnsupportedEntry(label, reason!));
                continue;
            }

            set.Rules.Add(rule.Rule);
            foreach (var host in new[] { rule.SourceHost, rule.TargetHost })
            {
                if (hosts.Add(host))
                {
                    var credential = creds.GetValueOrDefault(host) ?? new Credentials(host);
                    set.Registries.Add(RegistryFor(
                        $"creds[{host}]", host, credential.Tls != "disabled", credential.Tls != "insecure", credential.User, credential.Pass,
                        credential.PassFromEnv, credential.Certificate, "Imported from regsync"));
                }
            }
        }

        foreach (var unused in creds.Keys.Where(h => !hosts.Contains(h)))
        {
            set.Unsupported.Add(new UnsupportedEntry($"creds[{unused}]", "no imported sync entry uses this registry, so nothing was created for it"));
        }

        return set;
    }

    private static ImportedRuleAndHosts? ReadSync(YamlMappingNode node, string label, Settings defaults, Dictionary<string, Credentials> creds, HashSet<string> ruleNames, ImportSet set, out string? reason)
    {
        var type = ScalarText(Child(node, "type")) ?? "repository";
        var settings = ReadSettings(node, $"sync[{label[5..label.IndexOf(']', StringComparison.Ordinal)]}]", defaults, set);
        if (settings.Problem is { } problem)
        {
            reason = problem;
            return null;
        }

        if (type == "registry")
        {
            reason = "type registry copies every repository of a registry; rules replicate one project each: write one repository entry per project";
            return null;
        }

        if (type is not ("repository" or "image"))
        {
            reason = $"type '{type}' is not one of repository, image or registry";
            return null;
        }

        if (PeerReference.Parse(ScalarText(Child(node, "source")) ?? "", out var sourceProblem) is not { } source)
        {
            reason = $"source: {sourceProblem}";
            return null;
        }

        if (PeerReference.Parse(ScalarText(Child(node, "target")) ?? "", out var targetProblem) is not { } target)
        {
            reason = $"target: {targetProblem}";
            return null;
        }

        if ((creds.GetValueOrDefault(source.Host)?.Problem ?? creds.GetValueOrDefault(target.Host)?.Problem) is { } credentialProblem)
        {
            reason = credentialProblem;
            return null;
        }

        var (targetProject, targetRest) = target.Split();
        if (targetProject is null)
        {
            reason = $"the target repository '{target.Repository}' has no project (a first path segment); rules replicate into a project";
            return null;
        }

        if (PeerImages.RuleFor(source, targetProject, targetRest, out reason) is not { } input)
        {
            return null;
        }

        if (type == "image")
        {
            if (source.Tag is null || (target.Tag is not null && target.Tag != source.Tag))
            {
                reason = source.Tag is null ? "type image needs a tag on the source" : $"the target tag '{target.Tag}' differs from the source tag '{source.Tag}'; rules keep tags";
                return null;
            }

            if (settings.Allow.Count > 0 || settings.Deny.Count > 0)
            {
                reason = "tags filters on an image entry have no meaning";
                return null;
            }

            input.Tags = new PatternFilterInput { Include = [source.Tag] };
        }
        else
        {
            if (source.Tag is not null || target.Tag is not null)
            {
                reason = "a repository entry names a tag; use type image for one tag";
                return null;
            }

            var include = Translate(settings.Allow, "tags.allow", out reason);
            var exclude = reason is null ? Translate(settings.Deny, "tags.deny", out reason) : null;
            if (include is null || exclude is null)
            {
                return null;
            }

            input.Tags = new PatternFilterInput { Include = include, Exclude = exclude };
        }

        input.Name = RuleName("regsync", source.Repository + (type == "image" ? "-" + source.Tag : ""), ruleNames);
        input.Description = $"Imported from regsync: {source.Host}/{source.Repository}{(source.Tag is null ? "" : ":" + source.Tag)} to {target.Host}/{target.Repository}";
        input.IncludeReferrers = settings.Referrers;
        input.Trigger = settings.Cron is null ? new TriggerInput { Mode = TriggerModes.Manual } : new TriggerInput { Mode = TriggerModes.Scheduled, Cron = settings.Cron };
        reason = null;
        return new ImportedRuleAndHosts(new ImportedRule(label, input, RegistryNameOf(source.Host), RegistryNameOf(target.Host)), source.Host, target.Host);
    }

    private static List<string>? Translate(List<string> regexes, string what, out string? reason)
    {
        var patterns = new List<string>();
        foreach (var regex in regexes)
        {
            // regsync anchors each expression at both ends.
            if (TagRegexTranslator.Translate(regex, anchored: true, out var problem) is not { } glob)
            {
                reason = $"{what}: {problem}";
                return null;
            }

            patterns.Add(glob);
        }

        reason = null;
        return patterns;
    }

    /// <summary>Settings of <c>defaults</c> or of one sync entry (which start from the defaults).</summary>
    private static Settings ReadSettings(YamlMappingNode node, string label, Settings inherited, ImportSet? set)
    {
        var settings = inherited with { Allow = [], Deny = [] };
        foreach (var (keyNode, value) in node.Children)
        {
            var key = ScalarText(keyNode) ?? "";
            switch (key)
            {
                case "source" or "target" or "type":
                    break;
                case "interval":
                    settings = settings with { Cron = IntervalToCron(ScalarText(value), out var problem), Problem = settings.Problem ?? problem };
                    break;
                case "schedule":
                    var cron = ScalarText(value)?.Trim();
                    settings = settings with
                    {
                        Cron = cron,
                        Problem = settings.Problem ?? (CronSchedule.Validate(cron) is { } invalid ? $"schedule '{cron}': {invalid}" : null),
                    };
                    break;
                case "referrers":
                    settings = settings with { Referrers = Bool(value, "referrers") ?? false };
                    break;
                case "tags":
                    var tags = Mapping(value, "tags");
                    settings = settings with
                    {
                        Allow = Strings(Child(tags, "allow")),
                        Deny = Strings(Child(tags, "deny")),
                        Problem = settings.Problem ?? tags.Children.Keys.Select(ScalarText).Where(k => k is not ("allow" or "deny")).Select(k => $"tags.{k} is not a tag filter this app knows").FirstOrDefault(),
                    };
                    break;
                case "backup":
                    settings = settings with { Problem = settings.Problem ?? "backup keeps the overwritten target under another tag; a rule replaces or keeps a tag (its Override option) but makes no backup. Remove backup to import it" };
                    break;
                case "platform" or "platforms":
                    settings = settings with { Problem = settings.Problem ?? $"{key} selects platforms of multi-platform images, which this import does not carry over. Remove {key} to import the entry, then set the rule's Platforms" };
                    break;
                case "referrerFilters":
                    settings = settings with { Problem = settings.Problem ?? "referrerFilters selects some referrers; rules copy all of them or none (Include referrers)" };
                    break;
                case "repos":
                    settings = settings with { Problem = settings.Problem ?? "repos filters apply to type registry, which rules cannot express" };
                    break;
                case var tuning when TuningKeys.Contains(tuning):
                    // Transfer tuning, not what ends up in the destination: the app's own limits apply.
                    set?.Unsupported.Add(new UnsupportedEntry($"{label}.{tuning}", "transfer tuning is the app's own (Replication:Engine and Replication:Registry settings); not imported, nothing else is affected"));
                    break;
                default:
                    settings = settings with { Problem = settings.Problem ?? $"'{key}' is not a regsync setting this app knows" };
                    break;
            }
        }

        return settings;
    }

    private static Credentials? ReadCredentials(YamlMappingNode node, ImportSet set)
    {
        var registry = ScalarText(Child(node, "registry"))?.Trim();
        if (string.IsNullOrEmpty(registry))
        {
            set.Unsupported.Add(new UnsupportedEntry("creds[?]", "a creds entry without registry names no registry"));
            return null;
        }

        var credential = new Credentials(registry == "index.docker.io" ? PeerReference.DockerHub : registry);
        foreach (var (keyNode, value) in node.Children)
        {
            var key = ScalarText(keyNode) ?? "";
            var text = ScalarText(value);
            switch (key)
            {
                case "registry":
                    break;
                case "user":
                    credential = credential with { User = Expand(text, out var userVariable) };
                    if (userVariable is not null && credential.User is null)
                    {
                        credential = credential with { Problem = $"creds[{registry}].user reads the environment variable '{userVariable}', which is not set on the server" };
                    }

                    break;
                case "pass":
                    var pass = Expand(text, out var passVariable);
                    credential = passVariable is not null ? credential with { PassFromEnv = passVariable }
                        : text is not null && text.Contains("{{", StringComparison.Ordinal) ? credential // {{file ...}}: asked for in the import
                        : credential with { Pass = pass };
                    break;
                case "tls":
                    credential = credential with { Tls = text?.Trim() ?? "enabled" };
                    if (credential.Tls is not ("enabled" or "insecure" or "disabled"))
                    {
                        throw ConfigSyntaxException.At(value, "tls must be enabled, insecure or disabled.");
                    }

                    break;
                case "regcert":
                    credential = credential with { Certificate = text };
                    break;
                case "blobChunk" or "blobMax" or "reqPerSec" or "reqConcurrent" or "credExpire" or "priority":
                    set.Unsupported.Add(new UnsupportedEntry($"creds[{registry}].{key}", "transfer tuning is the app's own; not imported, the registry is"));
                    break;
                default:
                    credential = credential with { Problem = $"creds[{registry}].{key} ({key} is a regsync connection setting a registry here cannot express: hostname, pathPrefix, mirrors, credHelper and repoAuth are not imported)" };
                    set.Unsupported.Add(new UnsupportedEntry($"creds[{registry}].{key}", "not expressible on a registry here; sync entries that use this registry are not imported"));
                    break;
            }
        }

        return credential;
    }

    /// <summary>A value, with <c>{{env "NAME"}}</c> read from the environment (<paramref name="variable"/> says which).</summary>
    private static string? Expand(string? text, out string? variable)
    {
        variable = null;
        if (text is null || EnvTemplate().Match(text) is not { Success: true } match)
        {
            return text;
        }

        variable = match.Groups[1].Value;
        return Environment.GetEnvironmentVariable(variable);
    }

    /// <summary>regsync's Go durations as cron, where a cron expression runs at exactly that interval.</summary>
    private static string? IntervalToCron(string? text, out string? problem)
    {
        problem = null;
        var match = text is null ? null : Duration().Match(text.Trim());
        if (match is not { Success: true })
        {
            problem = $"interval '{text}' is not a duration such as 30m or 6h";
            return null;
        }

        var minutes = (int)(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * (match.Groups[2].Value == "h" ? 60 : 1));
        if (minutes is > 0 and < 60 && 60 % minutes == 0)
        {
            return minutes == 1 ? "* * * * *" : $"*/{minutes} * * * *";
        }

        if (minutes % 60 == 0 && minutes / 60 is > 0 and <= 24 && 24 % (minutes / 60) == 0)
        {
            var hours = minutes / 60;
            return hours == 1 ? "0 * * * *" : hours == 24 ? "0 0 * * *" : $"0 */{hours} * * *";
        }

        problem = $"interval '{text}' has no cron schedule that runs at exactly that interval (use a divisor of an hour or of a day, or write schedule: with a cron expression)";
        return null;
    }

    private static List<string> Strings(YamlNode? node) =>
        node is null ? [] : Sequence(node, "A tag filter").Children.Select(c => ScalarText(c) ?? "").ToList();

    [GeneratedRegex("""^\s*\{\{\s*env\s+"([A-Za-z_][A-Za-z0-9_]*)"\s*\}\}\s*$""")]
    private static partial Regex EnvTemplate();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(m|h)$")]
    private static partial Regex Duration();

    private sealed record Settings(string? Cron = null, bool Referrers = false, List<string>? AllowList = null, List<string>? DenyList = null, string? Problem = null)
    {
        public List<string> Allow { get => AllowList ?? []; init => AllowList = value; }

        public List<string> Deny { get => DenyList ?? []; init => DenyList = value; }
    }

    private sealed record Credentials(string Registry, string? User = null, string? Pass = null, string? PassFromEnv = null, string Tls = "enabled", string? Certificate = null, string? Problem = null);

    private sealed record ImportedRuleAndHosts(ImportedRule Rule, string SourceHost, string TargetHost);
}
