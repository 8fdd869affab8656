using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Components.Pages.Tokens;
using Replication.Admin.Security.Tokens;

namespace Replication.Admin.Tests.Components;

public sealed class NewTokenDialogTests : ComponentTestBase
{
    public NewTokenDialogTests() => Services.AddSingleton<ApiTokenService>();

    [Fact]
    public async Task Creating_a_token_shows_it_once_and_stores_only_its_hash()
    {
        var (host, _) = await ShowDialogAsync<NewTokenDialog>();

        Type(host, "Name", "ci-pipeline");
        Click(host, "Create");

        var shown = "";
        host.WaitForAssertion(() => shown = host.Find("[data-testid='new-token']").TextContent);
        Assert.StartsWith("ra_", shown, StringComparison.Ordinal);
        var saved = Assert.Single(await Services.GetRequiredService<ApiTokenService>().ListAsync());
        Assert.Equal("ci-pipeline", saved.Name);
        Assert.Equal("alice", saved.CreatedBy);
        Assert.NotNull(await Services.GetRequiredService<ApiTokenService>().AuthenticateAsync(shown));
    }

    [Fact]
    public async Task A_bad_name_says_what_is_allowed_and_creates_nothing()
    {
        var (host, _) = await ShowDialogAsync<NewTokenDialog>();

        Type(host, "Name", "bad name!");
        Click(host, "Create");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains("letters, digits", StringComparison.Ordinal)));
        Assert.Empty(host.FindAll("[data-testid='new-token']"));
        Assert.Empty(await Services.GetRequiredService<ApiTokenService>().ListAsync());
    }
}
