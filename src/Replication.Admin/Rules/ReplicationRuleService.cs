using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Admin.Registries;
using Replication.Engine;
using Replication.Engine.Filters;
using Replication.Engine.Planning;

namespace Replication.Admin.Rules;

/// <summary>Creates, changes, removes, previews and dry-runs replication rules. Used by the pages and the API alike.</summary>
public sealed class ReplicationRuleService(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    RegistryService registries,
    ReplicationRuleStore store,
    ReplicationPlanner planner,
    IRuleExecutionHistory history,
    IEnumerable<IReplicationRuleChangeHandler> changeHandlers,
    AuditLog audit,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<RuleScheduleOptions> scheduleOptions,
    ILogger<ReplicationRuleService> logger)
{
    /// <summary>The shortest time a scheduled rule may leave between runs (<c>Replication:Rules:MinimumScheduleInterval</c>).</summary>
    public TimeSpan MinimumScheduleInterval => scheduleOptions.Value.MinimumScheduleInterval;

    /// <summary>How long the live preview waits for a registry before saying it is slow.</summary>
    public static readonly TimeSpan PreviewTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Repositories (and tags per repository) the preview names.</summary>
    public const int PreviewSampleSize = 5;

    /// <summary>Catalog entries read to suggest projects; a huge registry is sampled, not listed whole.</summary>
    public const int ProjectScanLimit = 2000;

    public async Task<IReadOnlyList<ReplicationRuleView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking()
            .Include(r => r.SourceRegistry)
            .Include(r => r.DestinationRegistry)
            .OrderBy(r => r.Name)
            .ToListAsync(cancellationToken);
        return rules.Select(ReplicationRuleView.From).ToList();
    }

    public async Task<ReplicationRuleView?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        var rule = await store.LoadAsync(id, cancellationToken);
        return rule is null ? null : ReplicationRuleView.From(rule);
    }

    /// <summary>Every problem of <paramref name="input"/>, including a name another rule already has.</summary>
    public async Task<IReadOnlyDictionary<string, string[]>> ValidateAsync(ReplicationRuleInput input, int? exceptId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>(ReplicationRuleValidator.Validate(input, await registries.ListAsync(cancellationToken), MinimumScheduleInterval));
        if (!errors.ContainsKey(ReplicationRuleValidator.NameField))
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            if (await NameTakenAsync(db, input.Name!, exceptId, cancellationToken))
            {
                errors[ReplicationRuleValidator.NameField] = [NameTakenMessage(input.Name!)];
            }
        }

        return errors;
    }

    public async Task<RuleSaveResult> CreateAsync(ReplicationRuleInput input, string actor, CancellationToken cancellationToken = default)
    {
        var errors = await ValidateAsync(input, null, cancellationToken);
        if (errors.Count > 0)
        {
            return RuleSaveResult.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var rule = new ReplicationRule { Name = input.Name!.Trim(), CreatedAt = now, CreatedBy = actor };
        Apply(rule, input, actor, now);
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            db.ReplicationRules.Add(rule);
            if (await TrySaveAsync(db, cancellationToken) is { } problem)
            {
                return problem;
            }
        }

        var saved = (await GetAsync(rule.Id, cancellationToken))!;
        await audit.RecordAsync(actor, AuditActions.RuleCreate, Target(saved.Name), Describe(Snapshot(saved)), cancellationToken);
        await NotifyAsync(RuleChange.Created(saved.Id), cancellationToken);
        return RuleSaveResult.Saved(saved);
    }

    public async Task<RuleSaveResult> UpdateAsync(int id, ReplicationRuleInput input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var before = await GetAsync(id, cancellationToken);
        if (before is null)
        {
            return RuleSaveResult.Missing();
        }

        var errors = await ValidateAsync(input, id, cancellationToken);
        if (errors.Count > 0)
        {
            return RuleSaveResult.Invalid(errors);
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var rule = await db.ReplicationRules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (rule is null)
            {
                return RuleSaveResult.Missing();
            }

            rule.Name = input.Name!.Trim();
            Apply(rule, input, actor, clock.GetUtcNow());
            if (await TrySaveAsync(db, cancellationToken) is { } problem)
            {
                return problem;
            }
        }

        var saved = (await GetAsync(id, cancellationToken))!;
        await audit.RecordAsync(actor, AuditActions.RuleUpdate, Target(saved.Name), UpdateDetails(before, saved), cancellationToken);
        await NotifyAsync(RuleChange.Updated(before), cancellationToken);
        return RuleSaveResult.Saved(saved);
    }

    /// <summary>The rules page's switch: turns a rule on or off without touching anything else.</summary>
    public async Task<RuleSaveResult> SetEnabledAsync(int id, bool enabled, string actor, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(id, cancellationToken);
        if (current is null)
        {
            return RuleSaveResult.Missing();
        }

        var input = ReplicationRuleInput.From(current);
        input.Enabled = enabled;
        return await UpdateAsync(id, input, actor, cancellationToken);
    }

    /// <summary>Deletes the rule; false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        var rule = await GetAsync(id, cancellationToken);
        if (rule is null)
        {
            return false;
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.ReplicationRules.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await audit.RecordAsync(actor, AuditActions.RuleDelete, Target(rule.Name), Describe(Snapshot(rule)), cancellationToken);
        await NotifyAsync(RuleChange.Deleted(id), cancellationToken);
        return true;
    }

    /// <summary>
    /// Adds (<paramref name="existingId"/> null) or changes a rule inside <paramref name="db"/>, for an import that commits
    /// many changes in one transaction: the caller has validated the input (with <see cref="ReplicationRuleValidator"/>)
    /// and saves and commits. Returns what to do once the transaction has committed: the audit entry and the change
    /// handlers (schedules, initial syncs), so a rolled-back import leaves no trace.
    /// </summary>
    /// <param name="db">The import's context, inside its transaction.</param>
    /// <param name="before">The rule as it is (read before the transaction began); null to create one.</param>
    /// <param name="input">The validated rule.</param>
    /// <param name="actor">Who imports.</param>
    /// <param name="cancellationToken">Cancels the read of the tracked rule.</param>
    internal async Task<Func<CancellationToken, Task>> StageImportAsync(ReplicationDbContext db, ReplicationRuleView? before, ReplicationRuleInput input, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        if (before is null)
        {
            var rule = new ReplicationRule { Name = input.Name!.Trim(), CreatedAt = now, CreatedBy = actor };
            Apply(rule, input, actor, now);
            db.ReplicationRules.Add(rule);
            return async token =>
            {
                var saved = (await GetAsync(rule.Id, token))!;
                await audit.RecordAsync(actor, AuditActions.RuleCreate, Target(saved.Name), Describe(Snapshot(saved)), token);
                await NotifyAsync(RuleChange.Created(saved.Id), token);
            };
        }

        var id = before.Id;
        var tracked = await db.ReplicationRules.FirstAsync(r => r.Id == id, cancellationToken);
        tracked.Name = input.Name!.Trim();
        Apply(tracked, input, actor, now);
        return async token =>
        {
            var saved = (await GetAsync(id, token))!;
            await audit.RecordAsync(actor, AuditActions.RuleUpdate, Target(saved.Name), UpdateDetails(before, saved), token);
            await NotifyAsync(RuleChange.Updated(before), token);
        };
    }

    /// <summary>
    /// What the filters select in the source project (listings only), for the dialog's live preview. With repository
    /// names the catalog is not asked. Never throws for a registry problem: a slow, unreachable or refusing registry
    /// comes back as <see cref="RulePreview.Error"/>.
    /// </summary>
    public async Task<RulePreview> PreviewAsync(
        int? sourceRegistryId,
        string? sourceProject,
        RepositoryFilterInput? repositories,
        PatternFilterInput? tags,
        CancellationToken cancellationToken = default) =>
        await PreviewAsync(new ReplicationRuleInput { SourceRegistryId = sourceRegistryId, SourceProject = sourceProject, Repositories = repositories ?? new(), Tags = tags ?? new() }, cancellationToken);

    /// <summary>
    /// The live preview of a rule being edited: what its filters select, where each repository lands at the
    /// destination (project, prefix, flattening), and which sources would land on one name.
    /// </summary>
    public async Task<RulePreview> PreviewAsync(ReplicationRuleInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (sourceRegistryId, sourceProject, repositories, tags) = (input.SourceRegistryId, input.SourceProject, input.Repositories, input.Tags);
        if (sourceRegistryId is not { } registryId || string.IsNullOrWhiteSpace(sourceProject))
        {
            return RulePreview.Failure("Choose a source registry and project to see which images the rule selects.");
        }

        var problems = ReplicationRuleValidator.ValidateSourceProject(sourceProject)
            .Concat(ReplicationRuleValidator.ValidatePatterns(repositories?.Include, FilterField.IncludeRepositories))
            .Concat(ReplicationRuleValidator.ValidatePatterns(repositories?.Exclude, FilterField.ExcludeRepositories))
            .Concat(ReplicationRuleValidator.ValidateRepositoryNames(repositories?.Names, sourceProject))
            .Concat(ReplicationRuleValidator.ValidatePatterns(tags?.Include, FilterField.IncludeTags))
            .Concat(ReplicationRuleValidator.ValidatePatterns(tags?.Exclude, FilterField.ExcludeTags))
            .Concat(ReplicationRuleValidator.ValidateSemver(tags?.Semver))
            .Concat(ReplicationRuleValidator.ValidateNewest(tags?.Newest))
            .Concat(ReplicationRuleValidator.ValidateDestinationProject(input.DestinationProject))
            .Concat(ReplicationRuleValidator.ValidateFlatten(input.DestinationNaming?.Flatten))
            .Concat(ReplicationRuleValidator.ValidateDestinationPrefix(input.DestinationNaming?.Prefix))
            .ToList();
        if (problems.Count > 0)
        {
            return RulePreview.Failure("Fix the highlighted fields to see a preview. " + problems[0]);
        }

        var endpoint = await registries.GetClientEndpointAsync(registryId, cancellationToken);
        if (endpoint is null)
        {
            return RulePreview.Failure($"Registry {registryId} does not exist (it may have been deleted).");
        }

        var filter = new ImageFilter
        {
            IncludeRepositories = PatternList.Clean(repositories?.Include),
            ExcludeRepositories = PatternList.Clean(repositories?.Exclude),
            ExplicitRepositories = PatternList.Clean(repositories?.Names),
            IncludeTags = PatternList.Clean(tags?.Include),
            ExcludeTags = PatternList.Clean(tags?.Exclude),
            SemverRange = string.IsNullOrWhiteSpace(tags?.Semver) ? null : tags.Semver.Trim(),
            Newest = tags?.Newest,
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(PreviewTimeout);
        try
        {
            var naming = ReplicationRuleStore.ToNaming(FlattenModes.Parse(input.DestinationNaming?.Flatten) ?? 0, input.DestinationNaming?.Prefix?.Trim() ?? "");
            return RulePreview.Of(await planner.PreviewAsync(endpoint, sourceProject.Trim(), filter, input.DestinationProject?.Trim(), naming, PreviewSampleSize, deadline.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RulePreview.Failure($"The source registry did not answer within {PreviewTimeout.TotalSeconds:0} seconds, so the preview is not available. The rule can still be saved.");
        }
        catch (ReplicationException exception)
        {
            return RulePreview.Failure($"{RuleProblems.Describe(exception)} The rule can still be saved.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Preview of registry {RegistryId} project {Project} failed", registryId, sourceProject);
            return RulePreview.Failure($"The source registry could not be listed: {exception.Message} The rule can still be saved.");
        }
    }

    /// <summary>The plan of a saved rule, from the registries as they are now; copies and deletes nothing.</summary>
    public async Task<DryRunResult> DryRunAsync(int id, CancellationToken cancellationToken = default)
    {
        var rule = await store.LoadAsync(id, cancellationToken);
        if (rule is null)
        {
            return DryRunResult.Missing(id);
        }

        var replicated = rule.ReplicateDeletions ? await history.GetReplicatedAsync(id, cancellationToken) : [];
        try
        {
            return DryRunResult.Of(await planner.PlanAsync(store.ToScope(rule, replicated), cancellationToken));
        }
        catch (ReplicationException exception)
        {
            return DryRunResult.Failure(RuleProblems.Describe(exception));
        }
        catch (ArgumentException exception)
        {
            return DryRunResult.Failure(exception.Message);
        }
    }

    /// <summary>Projects (first path segments) seen in the registry's catalog, for the Source project autocomplete.</summary>
    public async Task<ProjectList> ListProjectsAsync(int registryId, CancellationToken cancellationToken = default)
    {
        var projects = new SortedSet<string>(StringComparer.Ordinal);
        string? last = null;
        var scanned = 0;
        do
        {
            var page = await registries.GetRepositoriesPageAsync(registryId, last, RegistryService.BrowsePageSize, cancellationToken);
            if (page.Failed)
            {
                return new ProjectList([.. projects], page.CatalogRefused
                    ? "This registry does not let this account list its repositories; type the project name."
                    : page.Error);
            }

            foreach (var repository in page.Items)
            {
                var slash = repository.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0)
                {
                    projects.Add(repository[..slash]);
                }
            }

            scanned += page.Items.Count;
            last = page.Last;
        }
        while (last is not null && scanned < ProjectScanLimit);

        return new ProjectList([.. projects], null, Complete: last is null);
    }

    private async Task NotifyAsync(RuleChange change, CancellationToken cancellationToken)
    {
        foreach (var handler in changeHandlers)
        {
            try
            {
                await handler.RuleChangedAsync(change, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "A rule change handler failed after rule {RuleId} was {Change}", change.RuleId, change.Kind.ToString().ToLowerInvariant());
            }
        }
    }

    private static void Apply(ReplicationRule rule, ReplicationRuleInput input, string actor, DateTimeOffset now)
    {
        var mode = TriggerModes.Parse(input.Trigger.Mode) ?? TriggerMode.Manual;
        rule.Description = input.Description?.Trim() ?? "";
        rule.SourceRegistryId = input.SourceRegistryId!.Value;
        rule.SourceProject = input.SourceProject!.Trim();
        rule.IncludeRepositories = PatternList.Clean(input.Repositories?.Include);
        rule.ExcludeRepositories = PatternList.Clean(input.Repositories?.Exclude);
        rule.RepositoryNames = PatternList.Clean(input.Repositories?.Names);
        rule.IncludeTags = PatternList.Clean(input.Tags?.Include);
        rule.ExcludeTags = PatternList.Clean(input.Tags?.Exclude);
        rule.SemverRange = string.IsNullOrWhiteSpace(input.Tags?.Semver) ? null : input.Tags.Semver.Trim();
        rule.NewestTags = input.Tags?.Newest;
        rule.DestinationRegistryId = input.DestinationRegistryId!.Value;
        rule.DestinationProject = input.DestinationProject?.Trim() ?? "";
        rule.FlattenLevels = FlattenModes.Parse(input.DestinationNaming?.Flatten) ?? 0;
        rule.DestinationPrefix = input.DestinationNaming?.Prefix?.Trim() ?? "";
        rule.TriggerMode = mode;

        // Options that do not apply to the trigger mode are stored off, so what is saved is what the rule does.
        rule.Cron = mode == TriggerMode.Scheduled ? CronSchedule.Parse(input.Trigger.Cron!).Text : null;
        rule.ReplicateDeletions = input.Trigger.ReplicateDeletions;
        rule.ReplicateExisting = mode == TriggerMode.Immediate && input.Trigger.ReplicateExisting;
        rule.BandwidthLimitKiBps = input.BandwidthLimitKiBps;
        rule.Platforms = PatternList.Clean(input.Platforms);
        rule.Override = input.Override;
        rule.IncludeReferrers = input.IncludeReferrers;
        rule.Enabled = input.Enabled;
        rule.UpdatedAt = now;
        rule.UpdatedBy = actor;
    }

    private static async Task<RuleSaveResult?> TrySaveAsync(ReplicationDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException exception) when (RegistryUsage.IsUniqueViolation(exception))
        {
            var name = db.ChangeTracker.Entries<ReplicationRule>().Select(e => e.Entity.Name).FirstOrDefault() ?? "";
            return RuleSaveResult.Invalid(new Dictionary<string, string[]> { [ReplicationRuleValidator.NameField] = [NameTakenMessage(name)] });
        }
        catch (DbUpdateException exception) when (RegistryUsage.IsForeignKeyViolation(exception))
        {
            // A registry was deleted between the check and the save.
            return RuleSaveResult.Invalid(new Dictionary<string, string[]>
            {
                [ReplicationRuleValidator.SourceRegistryField] = ["A registry of this rule was just deleted. Choose the registries again."],
            });
        }
    }

    private static async Task<bool> NameTakenAsync(ReplicationDbContext db, string name, int? exceptId, CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        return await db.ReplicationRules.AnyAsync(r => r.Name == trimmed && r.Id != exceptId, cancellationToken);
    }

    private static string NameTakenMessage(string name) => $"A rule named '{name.Trim()}' already exists. Choose another name.";

    private static string Target(string name) => $"rule '{name}'";

    private static Dictionary<string, string> Snapshot(ReplicationRuleView r) => new()
    {
        ["name"] = r.Name,
        ["description"] = r.Description,
        ["source"] = $"{r.SourceRegistryName}/{r.SourceProject}",
        ["repositories"] = PatternSummary(r.IncludeRepositories, r.ExcludeRepositories),
        ["repositoryNames"] = string.Join(", ", r.RepositoryNames),
        ["tags"] = PatternSummary(r.IncludeTags, r.ExcludeTags),
        ["semver"] = r.SemverRange ?? "",
        ["newest"] = r.NewestTags?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all",
        ["destination"] = $"{r.DestinationRegistryName}/{r.EffectiveDestinationProject}",
        ["destinationNaming"] = ReplicationRuleStore.ToNaming(r.FlattenLevels, r.DestinationPrefix).ToString(),
        ["trigger"] = TriggerModes.ToText(r.TriggerMode) + (r.Cron is null ? "" : $" '{r.Cron}'"),
        ["replicateDeletions"] = Flag(r.ReplicateDeletions),
        ["replicateExisting"] = Flag(r.ReplicateExisting),
        ["platforms"] = r.Platforms.Count == 0 ? "all" : string.Join(", ", r.Platforms),
        ["bandwidthLimitKiBps"] = r.BandwidthLimitKiBps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default",
        ["override"] = Flag(r.Override),
        ["includeReferrers"] = Flag(r.IncludeReferrers),
        ["enabled"] = Flag(r.Enabled),
    };

    private static string PatternSummary(IReadOnlyList<string> include, IReadOnlyList<string> exclude) =>
        (include.Count == 0 ? "all" : string.Join(", ", include)) + (exclude.Count == 0 ? "" : $" except {string.Join(", ", exclude)}");

    private static string Flag(bool value) => value ? "on" : "off";

    private static string Describe(Dictionary<string, string> snapshot) =>
        string.Join("; ", snapshot.Where(p => p.Key != "name" && !(p.Key is "description" or "repositoryNames" or "semver" && p.Value.Length == 0)).Select(p => $"{p.Key}={p.Value}"));

    private static string UpdateDetails(ReplicationRuleView before, ReplicationRuleView after) =>
        AuditDiff.Details(AuditDiff.Changes(Snapshot(before), Snapshot(after)));
}
