using System.Net;
using System.Text;
using Replication.Registry.Http;

namespace Replication.Registry.Tests.Protocol;

public class RegistryErrorBodyTests
{
    [Fact]
    public void Every_error_entry_is_read_with_code_message_and_detail()
    {
        var errors = RegistryErrorBody.Parse(Encoding.UTF8.GetBytes(
            """{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"t/nope"}},{"code":"DENIED","message":"no","detail":"text"}]}"""));

        Assert.Collection(
            errors,
            e =>
            {
                Assert.Equal(RegistryErrorCodes.NameUnknown, e.Code);
                Assert.Equal("repository name not known to registry", e.Message);
                Assert.Equal("""{"name":"t/nope"}""", e.Detail);
            },
            e =>
            {
                Assert.Equal(RegistryErrorCodes.Denied, e.Code);
                Assert.Equal("text", e.Detail);
            });
    }

    [Theory]
    [InlineData("")]
    [InlineData("404 page not found\n")]
    [InlineData("<html><body>nginx</body></html>")]
    [InlineData("{\"message\":\"not the OCI shape\"}")]
    [InlineData("[1,2]")]
    public void Bodies_that_are_not_OCI_errors_give_no_entries(string body)
    {
        Assert.Empty(RegistryErrorBody.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_registry_exception_exposes_the_first_code_and_says_whether_retrying_helps()
    {
        var denied = new RegistryException("no", HttpStatusCode.Forbidden, [new RegistryError("DENIED", "no")]);
        var unavailable = new RegistryException("later", HttpStatusCode.ServiceUnavailable);
        var network = new RegistryException("cut", new IOException("reset"));

        Assert.Equal("DENIED", denied.Code);
        Assert.True(denied.HasCode(RegistryErrorCodes.Denied));
        Assert.False(denied.IsTransient);
        Assert.True(unavailable.IsTransient);
        Assert.True(network.IsTransient);
        Assert.False(new DigestMismatchException("sha256:a", "sha256:b", "x").IsTransient);
        Assert.False(new UnsupportedManifestException("schema1", "application/vnd.docker.distribution.manifest.v1+prettyjws").IsTransient);
        Assert.False(new RegistryException("not implemented", HttpStatusCode.NotImplemented).IsTransient);
    }

    [Fact]
    public void The_message_of_a_refusal_names_the_action_status_and_codes()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.MethodNotAllowed) { ReasonPhrase = "Method Not Allowed" };
        var text = RegistryResponses.Describe(response, "delete team/app@sha256:1", [new RegistryError("UNSUPPORTED", "The operation is unsupported.")], []);

        Assert.Contains("delete team/app@sha256:1", text, StringComparison.Ordinal);
        Assert.Contains("405", text, StringComparison.Ordinal);
        Assert.Contains("UNSUPPORTED", text, StringComparison.Ordinal);
        Assert.Contains("deleting is disabled", text, StringComparison.Ordinal);
    }
}
