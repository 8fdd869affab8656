using System.Net.Http;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Registry;
using Replication.Registry.Inspection;
using ClientEndpoint = Replication.Registry.RegistryEndpoint;

namespace Replication.Admin.Registries;

/// <summary>Registers, changes, removes, tests and browses registries. Used by the pages and the API alike.</summary>
public sealed class RegistryService(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    RegistrySecrets secrets,
    IRegistryClientFactory clients,
    AuditLog audit,
    TimeProvider clock,
    ILogger<RegistryService> logger,
    IEnumerable<IRegistrySaveListener> saveListeners)
{
    /// <summary>Repositories or tags per "load more" in the browser.</summary>
    public const int BrowsePageSize = 100;

    public async Task<IReadOnlyList<RegistryView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registries = await db.RegistryEndpoints.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        return registries.Select(RegistryView.From).ToList();
    }

    public async Task<RegistryView?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return registry is null ? null : RegistryView.From(registry);
    }

    public async Task<RegistrySaveResult> CreateAsync(RegistryEndpointInput input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Kind ??= RegistryKinds.Generic;
        input.FillKindDefaults();
        var errors = RegistryEndpointValidator.Validate(input);
        if (errors.Count > 0)
        {
            return RegistrySaveResult.Invalid(errors);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await NameTakenAsync(db, input.Name!, exceptId: null, cancellationToken))
        {
            return NameTaken(input.Name!);
        }

        var now = clock.GetUtcNow();
        var registry = new RegistryEndpoint
        {
            Name = input.Name!.Trim(),
            Url = NormalizeUrl(input.Url!),
            CreatedAt = now,
            CreatedBy = actor,
        };
        Apply(registry, input, actor, now);
        db.RegistryEndpoints.Add(registry);
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return NameTaken(registry.Name);
        }

        await audit.RecordAsync(actor, AuditActions.RegistryCreate, Target(registry), Describe(registry), cancellationToken);
        Saved(registry.Id);
        return RegistrySaveResult.Saved(RegistryView.From(registry));
    }

    public async Task<RegistrySaveResult> UpdateAsync(int id, RegistryEndpointInput input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return RegistrySaveResult.Missing();
        }

        input.Kind ??= registry.Kind;
        input.FillKindDefaults();
        var errors = RegistryEndpointValidator.Validate(input, hasSavedPassword: !string.IsNullOrEmpty(registry.ProtectedPassword));
        if (errors.Count > 0)
        {
            return RegistrySaveResult.Invalid(errors);
        }

        if (await NameTakenAsync(db, input.Name!, exceptId: id, cancellationToken))
        {
            return NameTaken(input.Name!);
        }

        var before = Snapshot(registry);
        var passwordBefore = registry.ProtectedPassword;
        registry.Name = input.Name!.Trim();
        registry.Url = NormalizeUrl(input.Url!);
        Apply(registry, input, actor, clock.GetUtcNow());
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return NameTaken(registry.Name);
        }

        await audit.RecordAsync(actor, AuditActions.RegistryUpdate, Target(registry), UpdateDetails(before, passwordBefore, registry), cancellationToken);
        Saved(registry.Id);
        return RegistrySaveResult.Saved(RegistryView.From(registry));
    }

    public async Task<RegistryDeleteResult> DeleteAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return new RegistryDeleteResult(RegistryDeleteOutcome.NotFound, $"Registry {id} does not exist.", []);
        }

        var rules = await RegistryUsage.FindRuleNamesAsync(db, id, cancellationToken);
        if (rules.Count > 0)
        {
            return InUse(registry.Name, rules);
        }

        db.RegistryEndpoints.Remove(registry);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (RegistryUsage.IsForeignKeyViolation(exception))
        {
            // A rule was added between the check and the delete.
            return InUse(registry.Name, await RegistryUsage.FindRuleNamesAsync(db, id, cancellationToken));
        }

        await audit.RecordAsync(actor, AuditActions.RegistryDelete, Target(registry), Describe(registry), cancellationToken);
        return new RegistryDeleteResult(RegistryDeleteOutcome.Deleted, $"Registry '{registry.Name}' was deleted.", []);
    }

    /// <summary>
    /// Adds (<paramref name="tracked"/> null) or changes a registry inside <paramref name="db"/>, for an import that commits
    /// many changes in one transaction: the caller has validated the input and saves and commits. Returns what to record
    /// once the transaction has committed (the audit entry), so nothing is recorded for an import that rolled back.
    /// </summary>
    internal Func<CancellationToken, Task> StageImport(ReplicationDbContext db, RegistryEndpoint? tracked, RegistryEndpointInput input, string actor)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        if (tracked is null)
        {
            var registry = new RegistryEndpoint { Name = input.Name!.Trim(), Url = NormalizeUrl(input.Url!), CreatedAt = now, CreatedBy = actor };
            Apply(registry, input, actor, now);
            db.RegistryEndpoints.Add(registry);
            return cancellationToken => audit.RecordAsync(actor, AuditActions.RegistryCreate, Target(registry), Describe(registry), cancellationToken);
        }

        var before = Snapshot(tracked);
        var passwordBefore = tracked.ProtectedPassword;
        tracked.Name = input.Name!.Trim();
        tracked.Url = NormalizeUrl(input.Url!);
        Apply(tracked, input, actor, now);
        return cancellationToken => audit.RecordAsync(actor, AuditActions.RegistryUpdate, Target(tracked), UpdateDetails(before, passwordBefore, tracked), cancellationToken);
    }

    /// <summary>True when <paramref name="password"/> is the registry's saved password (compared in memory, never shown).</summary>
    internal bool IsSavedPassword(RegistryEndpoint registry, string password)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.ProtectedPassword is { } saved && string.Equals(secrets.UnprotectPassword(saved), password, StringComparison.Ordinal);
    }

    /// <summary>Test Connection of a saved registry; records the outcome as its status. Null when it does not exist.</summary>
    public async Task<PingResult?> PingAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return null;
        }

        var result = await PingEndpointAsync(ToClientEndpoint(registry), cancellationToken);
        RecordCheck(registry, result);
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Records a Test Connection made in the dialog (of exactly the values then saved) as the registry's status, so it does
    /// not read "never checked" right after a successful test. Null when the registry does not exist.
    /// </summary>
    public async Task<RegistryView?> RecordCheckAsync(int id, PingResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return null;
        }

        RecordCheck(registry, result);
        await db.SaveChangesAsync(cancellationToken);
        return RegistryView.From(registry);
    }

    private void RecordCheck(RegistryEndpoint registry, PingResult result)
    {
        registry.Status = result.Ok ? RegistryStatus.Healthy : RegistryStatus.Unhealthy;
        registry.LastCheckedAt = clock.GetUtcNow();
        registry.LastCheckMessage = result.Message.Length > 1000 ? result.Message[..1000] : result.Message;
    }

    /// <summary>
    /// Test Connection of values not saved yet (the dialog). Editing with an empty password uses the saved one.
    /// </summary>
    public async Task<PingResult> TestConnectionAsync(RegistryEndpointInput input, int? existingId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        string? savedPassword = null;
        if (existingId is { } id)
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var saved = await db.RegistryEndpoints.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
            savedPassword = saved?.ProtectedPassword is { } protectedPassword ? secrets.UnprotectPassword(protectedPassword) : null;
        }

        input.FillKindDefaults();
        var errors = RegistryEndpointValidator.Validate(input, hasSavedPassword: savedPassword is not null);
        var blocking = errors.Where(e => e.Key != RegistryEndpointValidator.NameField && e.Key != RegistryEndpointValidator.DescriptionField).ToList();
        if (blocking.Count > 0)
        {
            return new PingResult(PingOutcome.Unreachable, $"Cannot test yet: {blocking[0].Value[0]}");
        }

        var credential = input.EffectiveCredential == CredentialKind.UsernamePassword
            ? RegistryCredential.Basic(input.Username!.Trim(), string.IsNullOrEmpty(input.Password) ? savedPassword ?? "" : input.Password)
            : RegistryCredential.Anonymous;
        var endpoint = new ClientEndpoint
        {
            BaseUrl = new Uri(NormalizeUrl(input.Url!)),
            Credential = credential,
            VerifyTls = input.VerifyTls,
            CaCertificatePem = string.IsNullOrWhiteSpace(input.CaCertificate) ? null : input.CaCertificate,
            Product = RegistryKinds.ClientProduct(input.Kind),
        };
        return await PingEndpointAsync(endpoint, cancellationToken);
    }

    /// <summary>One page of the registry's catalog (repository names), or why it cannot be listed.</summary>
    public Task<BrowsePage> GetRepositoriesPageAsync(int id, string? last, int pageSize = BrowsePageSize, CancellationToken cancellationToken = default) =>
        BrowseAsync(id, client => client.GetCatalogPageAsync(pageSize, last, cancellationToken), cancellationToken);

    /// <summary>One page of a repository's tags, or why they cannot be listed.</summary>
    public Task<BrowsePage> GetTagsPageAsync(int id, string repository, string? last, int pageSize = BrowsePageSize, CancellationToken cancellationToken = default) =>
        BrowseAsync(id, client => client.GetTagsPageAsync(repository, pageSize, last, cancellationToken), cancellationToken);

    /// <summary>What a tag is (digest, size, platforms, creation time), or why the registry could not say.</summary>
    public async Task<TagDetailsResult> GetTagDetailsAsync(int id, string repository, string tag, CancellationToken cancellationToken = default)
    {
        TagDetails? details = null;
        var page = await BrowseAsync(id, async client =>
        {
            details = await TagInspector.InspectAsync(client, repository, tag, cancellationToken);
            return new Page<string>([], null);
        }, cancellationToken);
        return new TagDetailsResult(details, page.Error);
    }

    /// <summary>The client-side view of a saved registry, password decrypted; for features that talk to registries.</summary>
    public async Task<ClientEndpoint?> GetClientEndpointAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var registry = await db.RegistryEndpoints.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return registry is null ? null : ToClientEndpoint(registry);
    }

    private async Task<BrowsePage> BrowseAsync(int id, Func<IRegistryClient, Task<Page<string>>> list, CancellationToken cancellationToken)
    {
        var endpoint = await GetClientEndpointAsync(id, cancellationToken);
        if (endpoint is null)
        {
            return BrowsePage.Failure($"Registry {id} does not exist.");
        }

        try
        {
            return BrowsePage.From(await list(clients.Create(endpoint)));
        }
        catch (CatalogUnavailableException)
        {
            return BrowsePage.Failure(CatalogRefusedMessage(endpoint.Product), catalogRefused: true);
        }
        catch (RegistryException exception)
        {
            return BrowsePage.Failure($"The registry refused the listing: {exception.Message}");
        }
        catch (HttpRequestException exception)
        {
            return BrowsePage.Failure($"The registry could not be reached: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return BrowsePage.Failure("The registry did not answer in time. Try again, or check the URL with Test Connection.");
        }
    }

    /// <summary>Why a registry's repositories cannot be browsed, in the words of its kind, and what to do instead.</summary>
    public static string CatalogRefusedMessage(RegistryProduct kind)
    {
        const string Instead = "Open a repository by name below to see its tags; replication rules name their repositories in Repository names.";
        return kind switch
        {
            RegistryProduct.DockerHub => "Docker Hub does not list its repositories to anyone (no catalog). " + Instead + " Official images are under library/ ('alpine' is library/alpine).",
            RegistryProduct.GitHubContainerRegistry => "GitHub Container Registry does not list its repositories to anyone (no catalog). " + Instead,
            RegistryProduct.GitLab => "GitLab lists its registry's repositories only to GitLab administrators. " + Instead,
            RegistryProduct.Harbor => "Harbor lists its whole catalog only to system administrators. " + Instead,
            _ => "This registry does not let this account list its catalog (/v2/_catalog). " + Instead,
        };
    }

    private async Task<PingResult> PingEndpointAsync(ClientEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await clients.Create(endpoint).PingAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The client explains expected failures itself; anything else still deserves an answer, not an error page.
            logger.LogWarning(exception, "Test Connection to {Url} failed unexpectedly", endpoint.BaseUrl);
            return new PingResult(PingOutcome.Unreachable, $"Test Connection failed: {exception.Message}");
        }
    }

    private void Saved(int id)
    {
        foreach (var listener in saveListeners)
        {
            listener.OnSaved(id);
        }
    }

    private ClientEndpoint ToClientEndpoint(RegistryEndpoint registry) => new()
    {
        BaseUrl = new Uri(registry.Url),
        Credential = registry.Username is { Length: > 0 } username
            ? RegistryCredential.Basic(username, registry.ProtectedPassword is null ? "" : secrets.UnprotectPassword(registry.ProtectedPassword))
            : RegistryCredential.Anonymous,
        VerifyTls = registry.VerifyTls,
        CaCertificatePem = registry.CaCertificate,
        Product = RegistryKinds.ClientProduct(registry.Kind),
    };

    private void Apply(RegistryEndpoint registry, RegistryEndpointInput input, string actor, DateTimeOffset now)
    {
        registry.Type = input.Type!;
        registry.Kind = RegistryKinds.Find(input.Kind)!.Value;
        registry.VerifyTls = input.VerifyTls;
        registry.CaCertificate = string.IsNullOrWhiteSpace(input.CaCertificate) ? null : input.CaCertificate.Trim();
        registry.Description = input.Description?.Trim() ?? "";
        if (input.EffectiveCredential == CredentialKind.UsernamePassword)
        {
            registry.Username = input.Username!.Trim();
            if (!string.IsNullOrEmpty(input.Password))
            {
                registry.ProtectedPassword = secrets.ProtectPassword(input.Password);
            }
        }
        else
        {
            registry.Username = null;
            registry.ProtectedPassword = null;
        }

        registry.UpdatedAt = now;
        registry.UpdatedBy = actor;
    }

    private static async Task<bool> NameTakenAsync(ReplicationDbContext db, string name, int? exceptId, CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        return await db.RegistryEndpoints.AnyAsync(r => r.Name == trimmed && r.Id != exceptId, cancellationToken);
    }

    private static async Task<bool> TrySaveAsync(ReplicationDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (RegistryUsage.IsUniqueViolation(exception))
        {
            return false;
        }
    }

    private static RegistrySaveResult NameTaken(string name) => RegistrySaveResult.Invalid(new Dictionary<string, string[]>
    {
        [RegistryEndpointValidator.NameField] = [$"A registry named '{name.Trim()}' already exists. Choose another name."],
    });

    private static RegistryDeleteResult InUse(string name, List<string> rules)
    {
        var list = rules.Count > 0 ? string.Join(", ", rules.Select(r => $"'{r}'")) : "a replication rule";
        return new RegistryDeleteResult(
            RegistryDeleteOutcome.InUse,
            $"Registry '{name}' cannot be deleted: it is used by replication rule(s) {list}. Change or delete those rules first.",
            rules);
    }

    private static string NormalizeUrl(string url) => url.Trim().TrimEnd('/');

    private static string Target(RegistryEndpoint registry) => $"registry '{registry.Name}'";

    private static string Describe(RegistryEndpoint registry) =>
        $"url={registry.Url}; type={registry.Type}; kind={registry.Kind}; credential={(registry.Username is null ? "anonymous" : $"username '{registry.Username}'")}; verifyTls={(registry.VerifyTls ? "true" : "false")}";

    private static Dictionary<string, string> Snapshot(RegistryEndpoint r) => new()
    {
        ["name"] = r.Name,
        ["url"] = r.Url,
        ["type"] = r.Type,
        ["kind"] = r.Kind,
        ["username"] = r.Username ?? "(anonymous)",
        ["verifyTls"] = r.VerifyTls ? "true" : "false",
        ["caCertificate"] = r.CaCertificate is null ? "none" : "set",
        ["description"] = r.Description,
    };

    // The password itself never reaches the audit trail, only that it changed.
    private static string UpdateDetails(Dictionary<string, string> before, string? passwordBefore, RegistryEndpoint after)
    {
        var changes = AuditDiff.Changes(before, Snapshot(after));
        if (!string.Equals(passwordBefore, after.ProtectedPassword, StringComparison.Ordinal))
        {
            changes.Add(after.ProtectedPassword is null ? "password removed" : "password changed");
        }

        return AuditDiff.Details(changes);
    }
}
