using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Admin.Webhooks;

namespace Replication.Admin.Security.Tokens;

/// <summary>What the tokens page and API show of a token: never the token, nor its hash.</summary>
public sealed record ApiTokenView(int Id, string Name, string Role, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt)
{
    public static ApiTokenView From(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.Id, token.Name, token.Role, token.ExpiresAt, token.CreatedAt, token.CreatedBy, token.LastUsedAt);
    }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;
}

/// <summary>A created token: <see cref="Token"/> is its only appearance.</summary>
public sealed record CreatedApiToken(ApiTokenView View, string Token);

/// <summary>Validation errors by field, or the created token.</summary>
public sealed record ApiTokenCreateResult(CreatedApiToken? Created, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Created is not null;
}

/// <summary>Creates, lists, revokes and checks API tokens. Each call uses its own context (safe from a circuit).</summary>
public sealed partial class ApiTokenService(IDbContextFactory<ReplicationDbContext> contextFactory, AuditLog audit, TimeProvider clock)
{
    /// <summary>Every token starts with this, so a leaked one is recognisable (secret scanners, logs).</summary>
    public const string Prefix = "ra_";

    /// <summary>The longest a token may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3 * 365);

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return tokens.Select(ApiTokenView.From).ToList();
    }

    public async Task<ApiTokenCreateResult> CreateAsync(string? name, string? role, DateTimeOffset? expiresAt, string actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || !NamePattern().IsMatch(name))
        {
            errors["name"] = ["Name is required: up to 100 letters, digits, '.', '_' or '-' (e.g. 'ci-pipeline')."];
        }

        if (role is null || !Roles.All.Contains(role))
        {
            errors["role"] = [$"Role must be '{Roles.Administrator}' or '{Roles.Viewer}'."];
        }

        if (expiresAt is null || expiresAt <= now)
        {
            errors["expiresAt"] = ["Expiry is required and must be in the future (ISO 8601, e.g. '2027-01-01T00:00:00Z')."];
        }
        else if (expiresAt > now + MaxLifetime)
        {
            errors["expiresAt"] = [$"Expiry can be at most {MaxLifetime.TotalDays / 365:0} years from now."];
        }

        if (errors.Count > 0)
        {
            return new(null, errors);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await db.ApiTokens.AnyAsync(t => t.Name == name, cancellationToken))
        {
            return new(null, new Dictionary<string, string[]> { ["name"] = [$"A token named '{name}' already exists. Choose another name, or revoke that one first."] });
        }

        var token = Prefix + WebhookSecrets.Generate();
        var row = new ApiToken { Name = name!, Role = role!, TokenHash = WebhookSecrets.Hash(token), ExpiresAt = expiresAt!.Value, CreatedAt = now, CreatedBy = actor };
        db.ApiTokens.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new(null, new Dictionary<string, string[]> { ["name"] = [$"A token named '{name}' already exists. Choose another name."] });
        }

        await audit.RecordAsync(actor, AuditActions.TokenCreate, $"token '{row.Name}'", $"role={row.Role}; expires {row.ExpiresAt:u}", cancellationToken);
        return new(new CreatedApiToken(ApiTokenView.From(row), token), new Dictionary<string, string[]>());
    }

    /// <summary>False when there is no such token.</summary>
    public async Task<bool> RevokeAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null)
        {
            return false;
        }

        db.ApiTokens.Remove(token);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, AuditActions.TokenRevoke, $"token '{token.Name}'", $"role={token.Role}", cancellationToken);
        return true;
    }

    /// <summary>The token <paramref name="presented"/> names, when it exists and has not expired; records its use.</summary>
    public async Task<ApiTokenView?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        // The hash of a 256-bit random token is as unguessable as the token, so looking it up by hash leaks nothing;
        // the constant-time comparison below is the check that counts.
        var hash = WebhookSecrets.Hash(presented);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var now = clock.GetUtcNow();
        if (token is null || !WebhookSecrets.Matches(token.TokenHash, presented) || token.ExpiresAt <= now)
        {
            return null;
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt >= LastUsedResolution)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return ApiTokenView.From(token);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
