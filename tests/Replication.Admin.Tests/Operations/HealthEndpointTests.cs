using System.Net;
using Microsoft.AspNetCore.Hosting;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Operations;

/// <summary><c>/healthz/live</c> and <c>/healthz/ready</c>: anonymous, terse, 503 when a dependency is not there.</summary>
public sealed class HealthEndpointTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Theory]
    [InlineData("/healthz/live")]
    [InlineData("/healthz/ready")]
    public async Task Health_answers_anonymous_callers_with_one_word(string path)
    {
        using var anonymous = app.CreateAnonymousClient();

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_is_503_when_the_data_directory_is_short_of_space_and_live_stays_200()
    {
        using var starved = new LowSpaceAppFactory();
        using var anonymous = starved.CreateAnonymousClient();

        using var ready = await anonymous.GetAsync("/healthz/ready");
        using var live = await anonymous.GetAsync("/healthz/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Equal("Unhealthy", body);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private sealed class LowSpaceAppFactory : AdminAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);

            // More than any disk has: the free-space check must fail.
            builder.UseSetting("Operations:Health:MinimumFreeSpaceMegabytes", "1000000000000");
        }
    }
}
