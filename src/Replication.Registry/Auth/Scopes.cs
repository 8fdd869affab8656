namespace Replication.Registry.Auth;

/// <summary>Token scopes (Docker token spec) a request needs; the key under which its token is cached.</summary>
public sealed record Scopes(IReadOnlyList<string> Values)
{
    public static Scopes None { get; } = new([]);

    public static Scopes Catalog { get; } = new(["registry:catalog:*"]);

    public static Scopes Pull(string repository) => new([$"repository:{repository}:pull"]);

    public static Scopes Push(string repository) => new([$"repository:{repository}:pull,push"]);

    public static Scopes Delete(string repository) => new([$"repository:{repository}:delete"]);

    /// <summary>Push to <paramref name="repository"/> and pull from <paramref name="from"/>: what a cross-repository mount needs.</summary>
    public static Scopes Mount(string repository, string from) =>
        new([$"repository:{repository}:pull,push", $"repository:{from}:pull"]);

    public string Key => string.Join(' ', Values.Order(StringComparer.Ordinal));

    /// <summary>These scopes plus any the registry's challenge asked for (space-separated), without duplicates.</summary>
    public Scopes With(string? challengeScope)
    {
        if (string.IsNullOrWhiteSpace(challengeScope))
        {
            return this;
        }

        var all = Values.ToList();
        foreach (var s in challengeScope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!all.Contains(s, StringComparer.Ordinal))
            {
                all.Add(s);
            }
        }

        return new Scopes(all);
    }

    public override string ToString() => Key;
}
