using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Audit;
using Replication.Admin.Components.Pages.Audit;

namespace Replication.Admin.Tests.Components;

public sealed class AuditPageTests : ComponentTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Entries_are_paged_on_the_server_newest_first()
    {
        var log = Services.GetRequiredService<AuditLog>();
        for (var i = 0; i < 30; i++)
        {
            await log.RecordAsync("alice", AuditActions.RuleUpdate, $"rule 'r{i:00}'", "enabled: 'on' -> 'off'");
        }

        var page = RenderPage<AuditPage>();

        page.WaitForAssertion(() => Assert.Equal(25, Targets(page).Count), Wait);
        Assert.Equal("rule 'r29'", Targets(page)[0]);
        Assert.Contains("1-25 of 30", page.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filtering_by_user_and_action_narrows_the_list()
    {
        var log = Services.GetRequiredService<AuditLog>();
        await log.RecordAsync("alice", AuditActions.RuleCreate, "rule 'a'");
        await log.RecordAsync("bob", AuditActions.RuleDelete, "rule 'b'");
        await log.RecordAsync("bob", AuditActions.SignInSuccess, "user 'bob'");
        var page = RenderPage<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(3, Targets(page).Count), Wait);

        Field(page, "User").Input("bo");

        page.WaitForAssertion(() => Assert.Equal(["user 'bob'", "rule 'b'"], Targets(page)), Wait);
    }

    private static List<string> Targets(IRenderedComponent<IComponent> page) =>
        page.FindAll(".ra-audit-grid tbody tr")
            .Select(r => r.QuerySelectorAll("td"))
            .Where(cells => cells.Length >= 4)
            .Select(cells => cells[3].TextContent.Trim())
            .ToList();
}
