namespace Replication.Registry.Tests.Protocol;

public class SecretsTests
{
    [Fact]
    public void Printing_credentials_or_an_endpoint_never_shows_the_secret()
    {
        var basic = RegistryCredential.Basic("alice", "s3cr3t-pass");
        var token = RegistryCredential.BearerToken("tok-abcdef");
        var endpoint = new RegistryEndpoint { BaseUrl = new Uri("https://reg.example.com"), Credential = basic };
        var tokenEndpoint = endpoint with { Credential = token };

        foreach (var text in new[] { basic.ToString(), token.ToString(), endpoint.ToString(), tokenEndpoint.ToString() })
        {
            Assert.DoesNotContain("s3cr3t-pass", text, StringComparison.Ordinal);
            Assert.DoesNotContain("tok-abcdef", text, StringComparison.Ordinal);
        }

        Assert.Contains("alice", basic.ToString(), StringComparison.Ordinal);
    }
}
