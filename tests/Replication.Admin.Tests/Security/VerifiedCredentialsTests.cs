using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Time.Testing;
using Replication.Admin.Security;

namespace Replication.Admin.Tests.Security;

public sealed class VerifiedCredentialsTests
{
    [Fact]
    public void A_verified_password_is_trusted_for_a_minute_for_that_account_as_it_is()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var verified = new VerifiedCredentials(time);
        var user = new IdentityUser("alice") { SecurityStamp = "stamp-1" };
        verified.Add(user, "Alice-Passw0rd");

        Assert.True(verified.Contains(user, "Alice-Passw0rd"));
        Assert.False(verified.Contains(user, "alice-passw0rd"));
        Assert.False(verified.Contains(new IdentityUser("bob") { SecurityStamp = "stamp-1" }, "Alice-Passw0rd"));
        Assert.False(verified.Contains(new IdentityUser("alice") { Id = user.Id, SecurityStamp = "stamp-2" }, "Alice-Passw0rd"));

        time.Advance(VerifiedCredentials.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(verified.Contains(user, "Alice-Passw0rd"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(verified.Contains(user, "Alice-Passw0rd"));
    }
}
