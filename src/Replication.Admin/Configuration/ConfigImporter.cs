using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Configuration.Peers;
using Replication.Admin.Data;
using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Configuration;

/// <summary>
/// Imports registries and rules from a file, all or nothing. Every entry goes through the same validators the dialogs
/// and the API use, against the registries as they will be after the import; one problem refuses the whole file with
/// field errors. Only then are the changes staged through <see cref="RegistryService"/> and
/// <see cref="ReplicationRuleService"/> in one DbContext and one database transaction (the services' own create and
/// update each save on their own, so they cannot share one). Audit entries and rule-change handlers (schedules) run
/// after the commit, exactly as for a single change. Names are the keys: importing the same file twice changes nothing.
/// </summary>
public sealed class ConfigImporter(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    RegistryService registryService,
    ReplicationRuleService ruleService,
    AuditLog audit,
    ILogger<ConfigImporter> logger)
{
    public const string AuditAction = "config.import";

    public async Task<ConfigImportResult> ImportAsync(ConfigImportRequest request, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ImportSet set;
        try
        {
            set = request.Format switch
            {
                ConfigFormat.Regsync => RegsyncReader.Read(request.Text),
                ConfigFormat.Skopeo => SkopeoSyncReader.Read(request.Text, request.Destination),
                _ => ConfigDocumentReader.Read(request.Text),
            };
        }
        catch (ConfigSyntaxException error)
        {
            return ConfigImportResult.Unreadable(error);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registries = await db.RegistryEndpoints.ToListAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking().Include(r => r.SourceRegistry).Include(r => r.DestinationRegistry).ToListAsync(cancellationToken);
        var plan = new ImportPlan(set, registries, rules.Select(ReplicationRuleView.From).ToList(), request.Passwords, registryService, ruleService.MinimumScheduleInterval);
        if (!plan.Valid || request.DryRun)
        {
            return plan.Result(applied: false);
        }

        var afterCommit = new List<Func<CancellationToken, Task>>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                foreach (var step in plan.RegistrySteps)
                {
                    afterCommit.Add(registryService.StageImport(db, step.Existing, step.Input, actor));
                }

                await db.SaveChangesAsync(cancellationToken);
                var ids = db.RegistryEndpoints.Local.ToDictionary(r => r.Name, r => r.Id, StringComparer.OrdinalIgnoreCase);
                foreach (var step in plan.RuleSteps)
                {
                    step.Input.SourceRegistryId = ids[step.SourceRegistry];
                    step.Input.DestinationRegistryId = ids[step.DestinationRegistry];
                    afterCommit.Add(await ruleService.StageImportAsync(db, step.Existing, step.Input, actor, cancellationToken));
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException exception)
            {
                // Someone changed a registry or rule between the validation and the save; the transaction undoes it all.
                logger.LogWarning(exception, "Configuration import rolled back");
                await transaction.RollbackAsync(CancellationToken.None);
                return plan.Result(applied: false) with
                {
                    Errors = new Dictionary<string, string[]>
                    {
                        ["file"] = ["A registry or rule was changed by someone else while importing, so nothing was imported. Run the import again."],
                    },
                };
            }
        }

        foreach (var record in afterCommit)
        {
            try
            {
                await record(CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Recording an imported change failed after the import committed");
            }
        }

        var result = plan.Result(applied: true);
        await audit.RecordAsync(
            actor,
            AuditAction,
            $"configuration ({request.Format.ToString().ToLowerInvariant()})",
            $"created {result.Create.Count}, changed {result.Change.Count}, unchanged {result.Unchanged.Count}, unsupported {result.Unsupported.Count}",
            CancellationToken.None);
        return result;
    }

    /// <summary>The import compared with what exists and validated; what to stage when it is applied.</summary>
    private sealed class ImportPlan
    {
        private readonly List<ConfigItem> create = [];
        private readonly List<ConfigItem> change = [];
        private readonly List<ConfigItem> unchanged = [];
        private readonly Dictionary<string, string[]> errors;
        private readonly List<string> passwordsNeeded = [];
        private readonly List<UnsupportedEntry> unsupported;
        private readonly TimeSpan minimumScheduleInterval;

        /// <summary>Registries as they will be after the import (new ones with negative ids), for the rule validator.</summary>
        private readonly List<RegistryView> after = [];

        /// <summary>A peer format's host name mapped to the registered registry it resolves to.</summary>
        private readonly Dictionary<string, string> aliases = new(StringComparer.OrdinalIgnoreCase);

        public ImportPlan(
            ImportSet set,
            List<RegistryEndpoint> registries,
            List<ReplicationRuleView> rules,
            IReadOnlyDictionary<string, string>? passwords,
            RegistryService registryService,
            TimeSpan minimumScheduleInterval)
        {
            this.minimumScheduleInterval = minimumScheduleInterval;
            errors = new Dictionary<string, string[]>(set.Errors);
            unsupported = set.Unsupported;
            after.AddRange(registries.Select(RegistryView.From));
            PlanRegistries(set, registries, passwords, registryService);
            PlanRules(set, rules);
        }

        public List<(RegistryEndpoint? Existing, RegistryEndpointInput Input)> RegistrySteps { get; } = [];

        public List<(ReplicationRuleView? Existing, ReplicationRuleInput Input, string SourceRegistry, string DestinationRegistry)> RuleSteps { get; } = [];

        public bool Valid => errors.Count == 0;

        public ConfigImportResult Result(bool applied) =>
            new(create, change, unchanged, unsupported, errors, passwordsNeeded, applied);

        private void PlanRegistries(ImportSet set, List<RegistryEndpoint> registries, IReadOnlyDictionary<string, string>? passwords, RegistryService registryService)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var imported in set.Registries)
            {
                var input = Copy(imported.Input);
                var name = input.Name?.Trim() ?? "";
                if (imported.MatchByUrl && registries.FirstOrDefault(r => SameUrl(r.Url, input.Url)) is { } atUrl)
                {
                    aliases[name] = atUrl.Name;
                    if (seen.Add(atUrl.Name))
                    {
                        unchanged.Add(new ConfigItem("registry", atUrl.Name, ["already registered at this URL; used as it is"]));
                    }

                    continue;
                }

                if (imported.MatchByUrl && seen.Contains(name))
                {
                    // A peer's file names the same host more than once (source of one entry, target of another).
                    continue;
                }

                if (name.Length > 0 && !seen.Add(name))
                {
                    AddError(imported.Entry, "name", $"The registry '{name}' is listed twice; list each registry once.");
                    continue;
                }

                var existing = registries.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
                input.Kind ??= existing?.Kind ?? RegistryKinds.Generic;
                input.FillKindDefaults();
                if (imported.PasswordFromEnv is { } variable)
                {
                    input.Password = Environment.GetEnvironmentVariable(variable);
                    if (string.IsNullOrEmpty(input.Password))
                    {
                        AddError(imported.Entry, "passwordFromEnv", $"The environment variable '{variable}' is not set on the server. Set it and import again, or remove passwordFromEnv and give the password in the import dialog.");
                    }
                }
                else if (string.IsNullOrEmpty(input.Password) && passwords?.GetValueOrDefault(name) is { Length: > 0 } typed)
                {
                    input.Password = typed;
                }

                var hasSaved = existing?.ProtectedPassword is not null;
                if (input.EffectiveCredential == CredentialKind.UsernamePassword && string.IsNullOrEmpty(input.Password) && !hasSaved && imported.PasswordFromEnv is null)
                {
                    passwordsNeeded.Add(name);
                }

                foreach (var (field, messages) in RegistryEndpointValidator.Validate(input, hasSaved))
                {
                    AddError(imported.Entry, field, messages);
                }

                var url = input.Url?.Trim().TrimEnd('/') ?? "";
                var view = new RegistryView(
                    existing?.Id ?? -(after.Count + 1), name, url, input.Type ?? RegistryTypes.DockerRegistry, input.Username, hasSaved || !string.IsNullOrEmpty(input.Password),
                    input.VerifyTls, input.CaCertificate, input.Description ?? "", RegistryStatus.Unknown, null, null)
                {
                    Kind = RegistryKinds.Find(input.Kind)?.Value ?? RegistryKinds.Generic,
                };
                after.RemoveAll(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
                after.Add(view);
                if (existing is null)
                {
                    create.Add(new ConfigItem("registry", name, []));
                    RegistrySteps.Add((null, input));
                    continue;
                }

                var changes = RegistryChanges(existing, input);
                if (!string.IsNullOrEmpty(input.Password))
                {
                    if (registryService.IsSavedPassword(existing, input.Password))
                    {
                        // The same password again: nothing to re-encrypt, nothing to report.
                        input.Password = null;
                    }
                    else
                    {
                        changes.Add(existing.ProtectedPassword is null ? "password set" : "password changed");
                    }
                }

                if (changes.Count == 0)
                {
                    unchanged.Add(new ConfigItem("registry", existing.Name, []));
                }
                else
                {
                    change.Add(new ConfigItem("registry", existing.Name, changes));
                    RegistrySteps.Add((existing, input));
                }
            }
        }

        private void PlanRules(ImportSet set, List<ReplicationRuleView> rules)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var imported in set.Rules)
            {
                var name = imported.Input.Name?.Trim() ?? "";
                if (name.Length > 0 && !seen.Add(name))
                {
                    AddError(imported.Entry, "name", $"The rule '{name}' is listed twice; list each rule once.");
                    continue;
                }

                var existing = rules.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

                // A peer format starts from the saved rule so settings it cannot express are kept as they are.
                var input = imported.CarriesEverySetting || existing is null ? new ReplicationRuleInput() : ReplicationRuleInput.From(existing);
                Overlay(input, imported.Input, imported.CarriesEverySetting);
                var source = Resolve(imported.Entry, "sourceRegistry", imported.SourceRegistry, "Source registry");
                var destination = Resolve(imported.Entry, "destinationRegistry", imported.DestinationRegistry, "Destination registry");
                input.SourceRegistryId = source?.Id;
                input.DestinationRegistryId = destination?.Id;
                foreach (var (field, messages) in ReplicationRuleValidator.Validate(input, after, minimumScheduleInterval))
                {
                    if (field is not (ReplicationRuleValidator.SourceRegistryField or ReplicationRuleValidator.DestinationRegistryField))
                    {
                        AddError(imported.Entry, field, messages);
                    }
                }

                if (source is null || destination is null)
                {
                    continue;
                }

                if (existing is null)
                {
                    create.Add(new ConfigItem("rule", name, []));
                    RuleSteps.Add((null, input, source.Name, destination.Name));
                    continue;
                }

                var before = Canonical(ReplicationRuleInput.From(existing), existing.SourceRegistryName, existing.DestinationRegistryName);
                var now = Canonical(input, source.Name, destination.Name);
                var changes = before.Where(p => p.Value != now[p.Key]).Select(p => $"{p.Key}: '{p.Value}' -> '{now[p.Key]}'").ToList();
                if (!string.Equals(existing.Name, name, StringComparison.Ordinal))
                {
                    changes.Insert(0, $"name: '{existing.Name}' -> '{name}'");
                }

                if (changes.Count == 0)
                {
                    unchanged.Add(new ConfigItem("rule", existing.Name, []));
                }
                else
                {
                    change.Add(new ConfigItem("rule", existing.Name, changes));
                    RuleSteps.Add((existing, input, source.Name, destination.Name));
                }
            }
        }

        private RegistryView? Resolve(string entry, string field, string? name, string label)
        {
            var wanted = name?.Trim() ?? "";
            if (wanted.Length == 0)
            {
                AddError(entry, field, $"{label} is required: name one of the registries of the file or of the app.");
                return null;
            }

            wanted = aliases.GetValueOrDefault(wanted, wanted);
            var found = after.FirstOrDefault(r => string.Equals(r.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (found is null)
            {
                AddError(entry, field, $"{label} '{wanted}' is neither in the file's registries nor registered in the app. Add it under registries, or register it first.");
            }

            return found;
        }

        private void AddError(string entry, string field, params string[] messages)
        {
            var key = $"{entry}.{field}";
            errors[key] = errors.TryGetValue(key, out var current) ? [.. current, .. messages] : messages;
        }

        private static RegistryEndpointInput Copy(RegistryEndpointInput input) => new()
        {
            Name = input.Name?.Trim(),
            Url = input.Url,
            Type = input.Type,
            Kind = input.Kind,
            Username = input.Username,
            Password = input.Password,
            VerifyTls = input.VerifyTls,
            CaCertificate = input.CaCertificate,
            Description = input.Description,
        };

        private static bool SameUrl(string saved, string? url) =>
            url is not null && string.Equals(saved.Trim().TrimEnd('/'), url.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

        private static List<string> RegistryChanges(RegistryEndpoint existing, RegistryEndpointInput input)
        {
            var username = input.EffectiveCredential == CredentialKind.UsernamePassword ? input.Username?.Trim() ?? "" : "";
            var pairs = new (string Field, string Before, string After)[]
            {
                ("name", existing.Name, input.Name ?? ""),
                ("url", existing.Url, input.Url?.Trim().TrimEnd('/') ?? ""),
                ("type", existing.Type, input.Type ?? ""),
                ("kind", existing.Kind, RegistryKinds.Find(input.Kind)?.Value ?? input.Kind ?? ""),
                ("username", existing.Username ?? "", username),
                ("verifyTls", Flag(existing.VerifyTls), Flag(input.VerifyTls)),
                ("caCertificate", existing.CaCertificate ?? "", input.CaCertificate?.Trim() ?? ""),
                ("description", existing.Description, input.Description?.Trim() ?? ""),
            };
            return pairs.Where(p => !string.Equals(p.Before, p.After, StringComparison.Ordinal))
                .Select(p => p.Field == "caCertificate" ? "caCertificate changed" : $"{p.Field}: '{p.Before}' -> '{p.After}'")
                .ToList();
        }

        /// <summary>The fields a file sets, normalized the way the rules service saves them, so equal means "nothing to do".</summary>
        private static Dictionary<string, string> Canonical(ReplicationRuleInput input, string sourceRegistry, string destinationRegistry)
        {
            var mode = TriggerModes.Parse(input.Trigger?.Mode) ?? TriggerMode.Manual;
            var cron = mode == TriggerMode.Scheduled && CronSchedule.TryParse(input.Trigger?.Cron, out var schedule, out _) ? schedule!.Text : "";
            return new Dictionary<string, string>
            {
                ["description"] = input.Description?.Trim() ?? "",
                ["sourceRegistry"] = sourceRegistry,
                ["sourceProject"] = input.SourceProject?.Trim() ?? "",
                ["repositories.include"] = PatternList.Format(input.Repositories?.Include),
                ["repositories.exclude"] = PatternList.Format(input.Repositories?.Exclude),
                ["repositories.names"] = PatternList.Format(input.Repositories?.Names),
                ["tags.include"] = PatternList.Format(input.Tags?.Include),
                ["tags.exclude"] = PatternList.Format(input.Tags?.Exclude),
                ["tags.semver"] = input.Tags?.Semver?.Trim() ?? "",
                ["tags.newest"] = Number(input.Tags?.Newest),
                ["destinationRegistry"] = destinationRegistry,
                ["destinationProject"] = input.DestinationProject?.Trim() ?? "",
                ["destinationNaming.flatten"] = FlattenModes.ToText(FlattenModes.Parse(input.DestinationNaming?.Flatten) ?? 0),
                ["destinationNaming.prefix"] = input.DestinationNaming?.Prefix?.Trim() ?? "",
                ["trigger.mode"] = TriggerModes.ToText(mode),
                ["trigger.cron"] = cron,
                ["trigger.replicateDeletions"] = Flag(input.Trigger?.ReplicateDeletions ?? false),
                ["trigger.replicateExisting"] = Flag(mode == TriggerMode.Immediate && (input.Trigger?.ReplicateExisting ?? false)),
                ["platforms"] = PatternList.Format(input.Platforms),
                ["bandwidthLimitKiBps"] = Number(input.BandwidthLimitKiBps),
                ["override"] = Flag(input.Override),
                ["includeReferrers"] = Flag(input.IncludeReferrers),
                ["enabled"] = Flag(input.Enabled),
            };
        }

        /// <summary>
        /// Copies the fields every format carries onto <paramref name="target"/>, and with <paramref name="everySetting"/>
        /// the rest too; otherwise the other settings of the rule are left alone.
        /// </summary>
        private static void Overlay(ReplicationRuleInput target, ReplicationRuleInput file, bool everySetting)
        {
            target.Name = file.Name?.Trim();
            target.Description = file.Description;
            target.SourceProject = file.SourceProject;
            target.Repositories = file.Repositories;
            target.DestinationProject = file.DestinationProject;
            target.Trigger = file.Trigger;
            target.Override = file.Override;
            target.IncludeReferrers = file.IncludeReferrers;
            target.Enabled = file.Enabled;
            if (everySetting)
            {
                target.Tags = file.Tags;
                target.DestinationNaming = file.DestinationNaming;
                target.Platforms = file.Platforms;
                target.BandwidthLimitKiBps = file.BandwidthLimitKiBps;
                return;
            }

            // A peer format's tag patterns keep the saved version range and count, which it cannot express.
            target.Tags = new PatternFilterInput { Include = file.Tags?.Include, Exclude = file.Tags?.Exclude, Semver = target.Tags?.Semver, Newest = target.Tags?.Newest };
        }

        private static string Flag(bool value) => value ? "true" : "false";

        private static string Number(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
