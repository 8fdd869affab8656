using Replication.Admin.Registries;

namespace Replication.Admin.Tests.Registries;

public sealed class RegistryEndpointValidatorTests
{
    private const string Certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBfzCCASWgAwIBAgIUHRhZ9UpC6NOVMRe3iwqP6STDxJYwCgYIKoZIzj0EAwIw
        FTETMBEGA1UEAwwKdGVzdC1sYWItY2EwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAx
        MDAwMDAwWjAVMRMwEQYDVQQDDAp0ZXN0LWxhYi1jYTBZMBMGByqGSM49AgEGCCqG
        SM49AwEHA0IABFsm1hQZ6pN3m0m2bqO8rA0S6aK3JrN3V7WfQmT0Ue7u3oK8uXGJ
        eW7O2nRt3i0Vb8o1rZ1u3e3sE3Vb4Qz0s9ijUzBRMB0GA1UdDgQWBBQ1KqkQmXk8
        -----END CERTIFICATE-----
        """;

    private static RegistryEndpointInput Valid() => new()
    {
        Name = "harbor-prod",
        Url = "https://harbor.example.com",
        Type = RegistryTypes.Harbor,
        VerifyTls = true,
        Description = "Production Harbor",
    };

    [Fact]
    public void A_complete_anonymous_registry_is_valid() => Assert.Empty(RegistryEndpointValidator.Validate(Valid()));

    [Theory]
    [InlineData("harbor-prod")]
    [InlineData("Lab registry 2")]
    [InlineData("ghcr.io")]
    [InlineData("a_b")]
    public void Good_names_pass(string name) => Assert.Empty(RegistryEndpointValidator.ValidateName(name));

    [Theory]
    [InlineData(null, "Name is required.")]
    [InlineData("   ", "Name is required.")]
    [InlineData("-leading-dash", "must start with a letter or digit")]
    [InlineData("semi;colon", "Name may contain letters, digits, spaces")]
    [InlineData("slash/name", "Name may contain letters, digits, spaces")]
    public void Bad_names_are_explained(string? name, string expected) =>
        Assert.Contains(RegistryEndpointValidator.ValidateName(name), m => m.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void A_name_longer_than_64_characters_says_the_limit() =>
        Assert.Contains(RegistryEndpointValidator.ValidateName(new string('a', 65)), m => m.Contains("at most 64", StringComparison.Ordinal));

    [Theory]
    [InlineData("https://registry.example.com")]
    [InlineData("https://registry.example.com/")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("https://[::1]:5443")]
    public void Good_urls_pass(string url) => Assert.Empty(RegistryEndpointValidator.ValidateUrl(url));

    [Theory]
    [InlineData(null, "URL is required.")]
    [InlineData("registry.example.com", "URL is not a valid address.")]
    [InlineData("ftp://registry.example.com", "URL must start with https:// or http://")]
    [InlineData("https://user:pw@registry.example.com", "must not contain a user name or password")]
    [InlineData("https://registry.example.com/v2/", "without a path")]
    [InlineData("https://registry.example.com/?x=1", "without a path")]
    public void Bad_urls_are_explained(string? url, string expected) =>
        Assert.Contains(RegistryEndpointValidator.ValidateUrl(url), m => m.Contains(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("docker-registry", true)]
    [InlineData("harbor", true)]
    [InlineData("quay", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Type_is_one_of_the_two_kinds(string? type, bool valid) =>
        Assert.Equal(valid, !RegistryEndpointValidator.ValidateType(type).Any());

    [Fact]
    public void A_username_without_a_password_is_refused_for_a_new_registry()
    {
        var input = Valid();
        input.Username = "robot";

        var errors = RegistryEndpointValidator.Validate(input);

        Assert.Equal(["password"], errors.Keys);
        Assert.StartsWith("Password is required", errors["password"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_password_is_fine_when_one_is_saved() =>
        Assert.Empty(RegistryEndpointValidator.Validate(new RegistryEndpointInput
        {
            Name = "a",
            Url = "https://a.example.com",
            Type = RegistryTypes.DockerRegistry,
            Username = "robot",
        }, hasSavedPassword: true));

    [Fact]
    public void Choosing_username_and_password_without_a_username_asks_for_it()
    {
        var input = Valid();
        input.Credential = CredentialKind.UsernamePassword;

        var errors = RegistryEndpointValidator.Validate(input);

        Assert.StartsWith("Username is required", errors["username"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_username_with_a_colon_cannot_work_with_basic_auth()
    {
        var input = Valid();
        input.Username = "team:robot";
        input.Password = "x";

        Assert.Contains("cannot contain ':'", RegistryEndpointValidator.Validate(input)["username"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_ignores_username_and_password_rules()
    {
        var input = Valid();
        input.Credential = CredentialKind.Anonymous;
        input.Username = "";

        Assert.Empty(RegistryEndpointValidator.Validate(input));
    }

    [Fact]
    public void A_pem_certificate_that_does_not_parse_is_refused() =>
        Assert.Contains(RegistryEndpointValidator.ValidateCaCertificate(Certificate.Replace("MIIB", "!!!!", StringComparison.Ordinal)),
            m => m.StartsWith("CA certificate could not be read.", StringComparison.Ordinal));

    [Fact]
    public void Text_that_is_not_pem_is_refused() =>
        Assert.NotEmpty(RegistryEndpointValidator.ValidateCaCertificate("hello"));

    [Fact]
    public void A_real_pem_certificate_passes()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=lab-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        Assert.Empty(RegistryEndpointValidator.ValidateCaCertificate(certificate.ExportCertificatePem()));
    }

    [Fact]
    public void No_certificate_is_fine() => Assert.Empty(RegistryEndpointValidator.ValidateCaCertificate(null));

    [Fact]
    public void A_description_over_the_limit_says_the_limit() =>
        Assert.Contains(RegistryEndpointValidator.ValidateDescription(new string('d', 1001)), m => m.Contains("at most 1000", StringComparison.Ordinal));

    [Fact]
    public void The_input_never_prints_its_password()
    {
        var input = Valid();
        input.Username = "robot";
        input.Password = "do-not-print";

        Assert.DoesNotContain("do-not-print", input.ToString(), StringComparison.Ordinal);
    }
}
