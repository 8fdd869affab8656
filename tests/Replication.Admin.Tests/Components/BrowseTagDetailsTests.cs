using System.Security.Cryptography;
using System.Text;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Components.Pages.Registries;
using Replication.Admin.Registries;
using Replication.Registry.Content;

namespace Replication.Admin.Tests.Components;

/// <summary>Browse leads somewhere: a tag's details, the selection in the URL, and a new rule prefilled from it.</summary>
public sealed class BrowseTagDetailsTests : ComponentTestBase
{
    private static readonly byte[] Config = Encoding.UTF8.GetBytes("""{"architecture":"arm64","os":"linux","variant":"v8","created":"2025-03-04T05:06:07Z","rootfs":{"type":"layers","diff_ids":[]}}""");

    [Fact]
    public async Task A_shared_link_opens_the_tag_with_its_digest_size_platforms_and_creation_time()
    {
        var id = await RegisterWithImageAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"registries/{id}/browse?project=team&repository=team%2Fapp&tag=v1");

        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Contains("linux/arm64/v8", page.Find(".ra-tag-platforms").TextContent, StringComparison.Ordinal));
        Assert.Equal((Config.Length + 1000 + ManifestBytes().Length).ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-size]").GetAttribute("data-size"));
        Assert.Contains("2025-03-04 05:06:07", page.Find(".ra-tag-created").TextContent, StringComparison.Ordinal);
        Assert.Contains(ExecutionTextShort(Digest(ManifestBytes())), page.Find(".ra-tag-details").TextContent, StringComparison.Ordinal);
        Assert.Contains("team/app:v1", page.Find(".ra-tag-panel h2").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choosing_a_tag_puts_it_in_the_url()
    {
        var id = await RegisterWithImageAsync();
        var navigation = Services.GetRequiredService<BunitNavigationManager>();

        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".ra-tag-chip")));
        page.FindAll(".ra-tag-chip").First(c => c.TextContent.Trim() == "v1").Click();

        page.WaitForAssertion(() => Assert.EndsWith("?project=team&repository=team%2Fapp&tag=v1", navigation.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task New_rule_from_here_opens_the_rule_dialog_with_registry_project_and_repository_filled_in()
    {
        var id = await RegisterWithImageAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"registries/{id}/browse?repository=team%2Fapp&tag=v1");
        var host = Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudBlazor.MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<RegistryBrowsePage>(2);
            builder.AddComponentParameter(3, nameof(RegistryBrowsePage.Id), id);
            builder.CloseComponent();
        });
        host.WaitForAssertion(() => Assert.NotEmpty(host.FindAll("button.ra-new-rule-here")));

        host.Find("button.ra-new-rule-here").Click();

        host.WaitForAssertion(() => Assert.NotEmpty(host.FindAll(".mud-dialog")));
        host.WaitForAssertion(() => Assert.Equal("team", Field(host, "Source project").GetAttribute("value")));
        Assert.Equal("app", Field(host, "Repositories").GetAttribute("value") ?? Field(host, "Repositories").TextContent);
        Assert.Contains("browse-src", host.Find(".mud-dialog").InnerHtml, StringComparison.Ordinal);
    }

    private async Task<int> RegisterWithImageAsync()
    {
        var saved = await Registries.CreateAsync(new RegistryEndpointInput { Name = "browse-src", Url = "http://127.0.0.1:5000" }, "alice");
        RegistryClients.CatalogPages.Add(["team/app", "team/web"]);
        RegistryClients.Tags["team/app"] = ["v1", "v2"];
        var manifest = ManifestBytes();
        RegistryClients.Manifests["team/app:v1"] = new Manifest(manifest, MediaTypes.OciManifest, Digest(manifest));
        RegistryClients.Blobs[Digest(Config)] = Config;
        return saved.Registry!.Id;
    }

    private static byte[] ManifestBytes() => Encoding.UTF8.GetBytes(
        $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{Digest(Config)}}","size":{{Config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{new string('b', 64)}}","size":1000}]}""");

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string ExecutionTextShort(string digest) => Replication.Admin.Dashboard.ExecutionText.ShortDigest(digest);
}
