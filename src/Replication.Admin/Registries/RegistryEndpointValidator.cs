using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Replication.Admin.Registries;

/// <summary>
/// The one set of rules for a registry's fields, used by the dialog (per field, while typing) and the API (all at once).
/// Keys are the API's camelCase field names. Each message says what is wrong and how to fix it.
/// </summary>
public static class RegistryEndpointValidator
{
    public const string NameField = "name";
    public const string UrlField = "url";
    public const string TypeField = "type";
    public const string KindField = "kind";
    public const string UsernameField = "username";
    public const string PasswordField = "password";
    public const string CaCertificateField = "caCertificate";
    public const string DescriptionField = "description";

    public const int NameMaxLength = 64;
    public const int UrlMaxLength = 2048;
    public const int UsernameMaxLength = 256;
    public const int PasswordMaxLength = 4096;
    public const int DescriptionMaxLength = 1000;
    public const int CaCertificateMaxLength = 64 * 1024;

    /// <summary>Every problem of <paramref name="input"/>; empty when it can be saved.</summary>
    /// <param name="hasSavedPassword">Editing a registry that already has a password: an empty one keeps it.</param>
    public static IReadOnlyDictionary<string, string[]> Validate(RegistryEndpointInput input, bool hasSavedPassword = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>();
        Add(errors, NameField, ValidateName(input.Name));
        Add(errors, KindField, ValidateKind(input.Kind));
        var url = ValidateUrl(input.Url).ToList();
        Add(errors, UrlField, url.Count > 0 ? url : ValidateUrlForKind(input.Url!, input.Kind));
        Add(errors, TypeField, ValidateType(input.Type).Concat(ValidateTypeForKind(input.Type, input.Kind)));
        Add(errors, UsernameField, ValidateUsername(input));
        Add(errors, PasswordField, ValidatePassword(input, hasSavedPassword));
        Add(errors, CaCertificateField, ValidateCaCertificate(input.CaCertificate));
        Add(errors, DescriptionField, ValidateDescription(input.Description));
        return errors;
    }

    public static IEnumerable<string> ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return "Name is required. Enter a short name such as 'harbor-prod'.";
            yield break;
        }

        if (name.Length > NameMaxLength)
        {
            yield return $"Name is {name.Length} characters long; shorten it to at most {NameMaxLength}.";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ' ')))
        {
            yield return "Name may contain letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit.";
        }
    }

    public static IEnumerable<string> ValidateUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            yield return "URL is required. Enter the registry's address, e.g. https://registry.example.com.";
            yield break;
        }

        if (url.Length > UrlMaxLength)
        {
            yield return $"URL is longer than {UrlMaxLength} characters; enter only the registry's root address.";
            yield break;
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            yield return "URL is not a valid address. Enter it as https://host or https://host:port, e.g. https://registry.example.com.";
            yield break;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            yield return $"URL must start with https:// or http:// (it starts with {uri.Scheme}://).";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return "URL must not contain a user name or password; enter them under Credential instead.";
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            yield return "URL must be the registry's root without a path, e.g. https://registry.example.com:5000 (the /v2/ API path is added automatically).";
        }
    }

    public static IEnumerable<string> ValidateType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type) || !RegistryTypes.All.Contains(type))
        {
            yield return $"Type must be '{RegistryTypes.DockerRegistry}' (any OCI registry) or '{RegistryTypes.Harbor}'.";
        }
    }

    public static IEnumerable<string> ValidateKind(string? kind)
    {
        if (RegistryKinds.Find(kind) is null)
        {
            yield return $"Kind '{kind}' is not known. Use one of: {string.Join(", ", RegistryKinds.All.Select(k => k.Value))} (generic for any other OCI registry).";
        }
    }

    /// <summary>A website entered instead of its registry, or a well-known registry of another kind.</summary>
    public static IEnumerable<string> ValidateUrlForKind(string url, string? kind)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            yield break;
        }

        var host = uri.Host.ToLowerInvariant();
        var website = host switch
        {
            "hub.docker.com" or "docker.io" or "www.docker.com" => ("Docker Hub", RegistryKinds.DockerHubUrl),
            "github.com" or "www.github.com" => ("GitHub", "https://ghcr.io"),
            "gitlab.com" or "www.gitlab.com" => ("GitLab", "https://registry.gitlab.com"),
            _ => default,
        };
        if (website.Item1 is not null)
        {
            yield return $"{uri.Host} is {website.Item1}'s website, not its registry. Enter {website.Item2} instead.";
            yield break;
        }

        var chosen = RegistryKinds.Find(kind);
        var known = RegistryKinds.Find(RegistryKinds.FromHost(host));
        if (chosen is not null && known is not null && known.Value != RegistryKinds.Generic && chosen.Value != RegistryKinds.Generic && known.Value != chosen.Value)
        {
            yield return $"{uri.Host} is {known.DisplayName}, not {chosen.DisplayName}. Choose the kind {known.DisplayName}, or enter the address of your {chosen.DisplayName}.";
        }
    }

    /// <summary>Type harbor needs Harbor's project API, which the public services do not have.</summary>
    public static IEnumerable<string> ValidateTypeForKind(string? type, string? kind)
    {
        if (type == RegistryTypes.Harbor && RegistryKinds.Find(kind) is { } chosen && chosen.Value is not (RegistryKinds.Generic or RegistryKinds.Harbor))
        {
            yield return $"Type '{RegistryTypes.Harbor}' uses Harbor's project API, which {chosen.DisplayName} does not have. Choose type '{RegistryTypes.DockerRegistry}', or kind Harbor.";
        }
    }

    public static IEnumerable<string> ValidateUsername(RegistryEndpointInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.EffectiveCredential != CredentialKind.UsernamePassword)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(input.Username))
        {
            yield return "Username is required for username and password credentials. Enter it, or choose Anonymous.";
            yield break;
        }

        if (input.Username.Length > UsernameMaxLength)
        {
            yield return $"Username is longer than {UsernameMaxLength} characters; check what was pasted.";
        }

        if (input.Username.Contains(':', StringComparison.Ordinal))
        {
            yield return "Username cannot contain ':' (HTTP Basic authentication does not allow it).";
        }
    }

    public static IEnumerable<string> ValidatePassword(RegistryEndpointInput input, bool hasSavedPassword)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.EffectiveCredential != CredentialKind.UsernamePassword)
        {
            yield break;
        }

        if (string.IsNullOrEmpty(input.Password))
        {
            if (!hasSavedPassword)
            {
                yield return "Password is required for username and password credentials. Enter the password or access token of the account.";
            }

            yield break;
        }

        if (input.Password.Length > PasswordMaxLength)
        {
            yield return $"Password is longer than {PasswordMaxLength} characters; check what was pasted.";
        }
    }

    public static IEnumerable<string> ValidateCaCertificate(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            yield break;
        }

        if (pem.Length > CaCertificateMaxLength)
        {
            yield return $"CA certificate is larger than {CaCertificateMaxLength / 1024} KiB; paste only the CA certificate(s), not a whole bundle of the system.";
            yield break;
        }

        if (!IsParseablePem(pem))
        {
            yield return "CA certificate could not be read. Paste PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or leave it empty.";
        }
    }

    public static IEnumerable<string> ValidateDescription(string? description)
    {
        if (description is not null && description.Length > DescriptionMaxLength)
        {
            yield return $"Description is {description.Length} characters long; shorten it to at most {DescriptionMaxLength}.";
        }
    }

    private static bool IsParseablePem(string pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
            return certificates.Count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private static void Add(Dictionary<string, string[]> errors, string field, IEnumerable<string> messages)
    {
        var list = messages.ToArray();
        if (list.Length > 0)
        {
            errors[field] = list;
        }
    }
}
