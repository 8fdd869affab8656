using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Replication.Testing.Registries;

/// <summary>Writes distribution 2.8's <c>config.yml</c>; scalars are JSON-quoted, which YAML reads as strings.</summary>
internal static class RegistryConfig
{
    /// <summary>The <c>service</c> a token registry names in its challenge; the token's <c>aud</c>.</summary>
    public const string TokenService = "replication-test-registry";

    /// <summary>The <c>issuer</c> a token registry trusts; the token's <c>iss</c>.</summary>
    public const string TokenIssuerName = "replication-test-token-issuer";

    public sealed record Settings(
        int Port,
        string StorageDirectory,
        bool DeleteEnabled,
        string? HtpasswdPath,
        string? TokenRealm,
        string? RootCertificatePath,
        IReadOnlyList<NotificationEndpoint> Notifications,
        string? TlsCertificatePath = null,
        string? TlsKeyPath = null);

    public static string Render(Settings s)
    {
        var y = new StringBuilder();
        y.AppendLine("version: 0.1");
        y.AppendLine("log:");
        y.AppendLine("  level: info");
        y.AppendLine("  formatter: text");
        y.AppendLine("  accesslog:");
        y.AppendLine("    disabled: true");
        y.AppendLine("storage:");
        y.AppendLine("  filesystem:");
        y.AppendLine($"    rootdirectory: {Q(s.StorageDirectory)}");
        y.AppendLine("  delete:");
        y.AppendLine($"    enabled: {B(s.DeleteEnabled)}");
        y.AppendLine("  maintenance:");
        y.AppendLine("    uploadpurging:");
        y.AppendLine("      enabled: false");
        y.AppendLine("http:");
        y.AppendLine($"  addr: {Q($"127.0.0.1:{s.Port}")}");
        // A fixed secret keeps upload state tokens valid across a stop and restart.
        y.AppendLine($"  secret: {Q("replication-test-upload-state-secret")}");
        y.AppendLine("  headers:");
        y.AppendLine("    X-Content-Type-Options: [nosniff]");
        if (s.TlsCertificatePath is not null && s.TlsKeyPath is not null)
        {
            y.AppendLine("  tls:");
            y.AppendLine($"    certificate: {Q(s.TlsCertificatePath)}");
            y.AppendLine($"    key: {Q(s.TlsKeyPath)}");
        }
        if (s.HtpasswdPath is not null)
        {
            y.AppendLine("auth:");
            y.AppendLine("  htpasswd:");
            y.AppendLine($"    realm: {Q("replication-test")}");
            y.AppendLine($"    path: {Q(s.HtpasswdPath)}");
        }
        else if (s.TokenRealm is not null && s.RootCertificatePath is not null)
        {
            y.AppendLine("auth:");
            y.AppendLine("  token:");
            y.AppendLine($"    realm: {Q(s.TokenRealm)}");
            y.AppendLine($"    service: {Q(TokenService)}");
            y.AppendLine($"    issuer: {Q(TokenIssuerName)}");
            y.AppendLine($"    rootcertbundle: {Q(s.RootCertificatePath)}");
        }

        if (s.Notifications.Count > 0)
        {
            y.AppendLine("notifications:");
            y.AppendLine("  events:");
            y.AppendLine("    includereferences: true");
            y.AppendLine("  endpoints:");
            foreach (var e in s.Notifications)
            {
                y.AppendLine($"    - name: {Q(e.Name)}");
                y.AppendLine($"      url: {Q(e.Url)}");
                y.AppendLine(e.Headers.Count == 0 ? "      headers: {}" : "      headers:");
                foreach (var (name, values) in e.Headers)
                {
                    y.AppendLine($"        {Q(name)}: [{string.Join(", ", values.Select(Q))}]");
                }

                y.AppendLine($"      timeout: {Duration(e.Timeout)}");
                y.AppendLine($"      threshold: {e.Threshold.ToString(CultureInfo.InvariantCulture)}");
                y.AppendLine($"      backoff: {Duration(e.Backoff)}");
                if (e.IgnoredActions.Count > 0 || e.IgnoredMediaTypes.Count > 0)
                {
                    y.AppendLine("      ignore:");
                    y.AppendLine($"        mediatypes: [{string.Join(", ", e.IgnoredMediaTypes.Select(Q))}]");
                    y.AppendLine($"        actions: [{string.Join(", ", e.IgnoredActions.Select(Q))}]");
                }
            }
        }

        return y.ToString();
    }

    private static string Q(string value) => JsonSerializer.Serialize(value);

    private static string B(bool value) => value ? "true" : "false";

    private static string Duration(TimeSpan value) =>
        Q(((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms");
}
