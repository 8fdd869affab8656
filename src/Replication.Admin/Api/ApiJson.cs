using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Api;

/// <summary>
/// How <c>/api/v1</c> reads JSON: a member the resource does not have is refused (400 naming it) rather than dropped, so a
/// misspelt option (<c>"overide"</c>) cannot be saved as if it were absent. The members a resource only shows (its
/// <c>id</c>, a registry's <c>status</c>) are accepted and ignored, so what a GET returned can be PUT back as it is.
/// </summary>
public static class ApiJson
{
    // Each input shape and the resource it is read back as; the resource's extra members are the read-only ones.
    private static readonly FrozenDictionary<Type, Type> ReadBackAs = new Dictionary<Type, Type>
    {
        [typeof(RegistryEndpointInput)] = typeof(RegistryResource),
        [typeof(ReplicationRuleInput)] = typeof(RuleResource),
        [typeof(RepositoryFilterInput)] = typeof(RepositoriesResource),
        [typeof(PatternFilterInput)] = typeof(PatternsResource),
        [typeof(TriggerInput)] = typeof(TriggerResource),
        [typeof(Notifications.NotificationChannelInput)] = typeof(Notifications.NotificationChannelResource),
    }.ToFrozenDictionary();

    /// <summary>What a read-only member accepted in a request says about itself in the OpenAPI document.</summary>
    public const string ReadOnlyDescription = "Read-only: ignored in requests (accepted so that what a GET returned can be sent back).";

    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(AcceptReadOnlyMembers);
    }

    /// <summary>Whether <paramref name="property"/> is a resource's read-only member accepted (and ignored) in a request.</summary>
    public static bool IsAcceptedReadOnly(JsonPropertyInfo? property) => property?.AttributeProvider is ReadOnlyMember;

    private static void AcceptReadOnlyMembers(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || !ReadBackAs.TryGetValue(typeInfo.Type, out var resource))
        {
            return;
        }

        var naming = typeInfo.Options.PropertyNamingPolicy;
        var known = typeInfo.Properties.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var member in resource.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var name = naming?.ConvertName(member.Name) ?? member.Name;
            if (!known.Add(name))
            {
                continue;
            }

            var property = typeInfo.CreateJsonPropertyInfo(typeof(object), name);
            property.Set = static (_, _) => { };
            property.AttributeProvider = new ReadOnlyMember(member);
            typeInfo.Properties.Add(property);
        }
    }

    /// <summary>Marks an accepted read-only member (and carries the resource member's attributes).</summary>
    private sealed class ReadOnlyMember(PropertyInfo member) : ICustomAttributeProvider
    {
        public object[] GetCustomAttributes(bool inherit) => member.GetCustomAttributes(inherit);

        public object[] GetCustomAttributes(Type attributeType, bool inherit) => member.GetCustomAttributes(attributeType, inherit);

        public bool IsDefined(Type attributeType, bool inherit) => member.IsDefined(attributeType, inherit);
    }
}
