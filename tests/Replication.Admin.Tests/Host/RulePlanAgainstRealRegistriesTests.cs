using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Rules;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Admin.Tests.Host;

/// <summary>The dialog's live preview and the dry run against real <c>docker-registry</c> processes.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class RulePlanAgainstRealRegistriesTests(RegistryFixture registries, AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    private static readonly string[] AppRepositories = ["app*"];
    private static readonly string[] VersionTags = ["v*"];
    private static readonly string[] ReleaseCandidates = ["*-rc*"];

    [Fact]
    public async Task The_preview_counts_exactly_what_the_filters_select_in_the_project()
    {
        var source = await registries.AnonymousAsync();
        var project = Project();
        using (var oci = new OciTestClient(source))
        {
            await oci.PushTagsAsync($"{project}/app", ["v1", "v2", "v2-rc1", "latest"]);
            await oci.PushTagsAsync($"{project}/app-cli", ["v1"]);
            await oci.PushTagsAsync($"{project}/web", ["v1"]);
            await oci.PushTagsAsync($"{project}-other/app", ["v1"]);
        }

        var sourceId = await RegisterAsync(new { name = Name("preview"), url = source.Url, type = "docker-registry" });
        using var scope = app.Services.CreateScope();
        var rules = scope.ServiceProvider.GetRequiredService<ReplicationRuleService>();

        var all = await rules.PreviewAsync(sourceId, project, new RepositoryFilterInput(), new PatternFilterInput());
        var filtered = await rules.PreviewAsync(
            sourceId,
            project,
            new RepositoryFilterInput { Include = ["app*"] },
            new PatternFilterInput { Include = ["v*"], Exclude = ["*-rc*"] });
        var named = await rules.PreviewAsync(
            sourceId,
            project,
            new RepositoryFilterInput { Include = ["app*"], Names = ["web", "app-cli", "app", "missing"] },
            new PatternFilterInput());

        Assert.False(all.Failed, all.Error);
        Assert.Equal((3, 6), (all.Selection!.RepositoryCount, all.Selection.TagCount));
        Assert.False(filtered.Failed, filtered.Error);
        Assert.Equal((2, 3), (filtered.Selection!.RepositoryCount, filtered.Selection.TagCount));
        Assert.Equal([$"{project}/app", $"{project}/app-cli"], filtered.Selection.Repositories.Select(r => r.Repository));
        Assert.Equal(["v1", "v2"], filtered.Selection.Repositories[0].Tags);

        // Names replace the catalog; the include pattern still leaves web out, and a name that does not exist selects nothing.
        Assert.False(named.Failed, named.Error);
        Assert.Equal([$"{project}/app", $"{project}/app-cli"], named.Selection!.Repositories.Select(r => r.Repository));
        Assert.Equal((2, 5), (named.Selection.RepositoryCount, named.Selection.TagCount));

        var projects = await rules.ListProjectsAsync(sourceId);
        Assert.Null(projects.Error);
        Assert.Contains(project, projects.Projects);
        Assert.Contains($"{project}-other", projects.Projects);
    }

    [Fact]
    public async Task An_unreachable_registry_gives_the_preview_a_clear_message()
    {
        // A port nothing listens on: a registry stopped for the test.
        await using var stopped = await RegistryFixture.StartDedicatedAsync();
        var url = stopped.Url;
        await stopped.StopAsync();
        var id = await RegisterAsync(new { name = Name("down"), url, type = "docker-registry" });
        using var scope = app.Services.CreateScope();

        var preview = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().PreviewAsync(id, "team", null, null);

        Assert.True(preview.Failed);
        Assert.Contains("Could not list the source registry", preview.Error, StringComparison.Ordinal);
        Assert.Contains("The rule can still be saved.", preview.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dry_run_lists_what_would_be_copied_and_what_is_up_to_date_and_changes_nothing()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = Project();
        using var sourceClient = new OciTestClient(source);
        using var destinationClient = new OciTestClient(destination.Url, destination.UserName, destination.Password);
        var app1 = await sourceClient.PushTagsAsync($"{project}/app", ["v1", "v2", "v2-rc1"]);
        var cli = await sourceClient.PushTagsAsync($"{project}/app-cli", ["v1"]);
        await sourceClient.PushTagsAsync($"{project}/web", ["v1"]);

        // The destination already has app:v1: the same spec gives the same digest in any registry.
        var v1 = app1.Single(i => i.Tag == "v1");
        await destinationClient.PushTagsAsync($"{project}/app", ["v1"]);
        Assert.Equal(v1.Digest, await destinationClient.GetManifestDigestAsync($"{project}/app", "v1"));

        var sourceId = await RegisterAsync(new { name = Name("src"), url = source.Url, type = "docker-registry" });
        var destinationId = await RegisterAsync(new { name = Name("dst"), url = destination.Url, type = "docker-registry", username = destination.UserName, password = destination.Password });
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name = Name("dryrun"),
            sourceRegistryId = sourceId,
            sourceProject = project,
            repositories = new { include = AppRepositories },
            tags = new { include = VersionTags, exclude = ReleaseCandidates },
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var response = await client.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["copy", "upToDate", "delete", "skipped"], plan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            [($"{project}/app", "v2", app1.Single(i => i.Tag == "v2").Digest), ($"{project}/app-cli", "v1", cli[0].Digest)],
            Items(plan.GetProperty("copy")));
        Assert.Equal([($"{project}/app", "v1", v1.Digest)], Items(plan.GetProperty("upToDate")));
        Assert.Empty(Items(plan.GetProperty("delete")));
        Assert.Empty(plan.GetProperty("skipped").EnumerateArray());

        // A dry run copies nothing.
        Assert.Null(await destinationClient.GetManifestDigestAsync($"{project}/app", "v2"));
        Assert.Null(await destinationClient.GetManifestDigestAsync($"{project}/app-cli", "v1"));
    }

    [Fact]
    public async Task The_dry_run_lists_what_it_skips_with_the_reason()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = Project();
        using var sourceClient = new OciTestClient(source);
        using var destinationClient = new OciTestClient(destination.Url, destination.UserName, destination.Password);
        var ours = await sourceClient.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        var fresh = await sourceClient.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 512));

        // Someone else's app:v1 is at the destination, with another digest; override is off, so the rule leaves it alone.
        var theirs = await destinationClient.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        Assert.NotEqual(ours.Digest, theirs.Digest);

        var sourceId = await RegisterAsync(new { name = Name("src"), url = source.Url, type = "docker-registry" });
        var destinationId = await RegisterAsync(new { name = Name("dst"), url = destination.Url, type = "docker-registry", username = destination.UserName, password = destination.Password });
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/rules", new
        {
            name = Name("skips"),
            sourceRegistryId = sourceId,
            sourceProject = project,
            destinationRegistryId = destinationId,
            trigger = new { mode = "manual" },
            @override = false,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var response = await client.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([($"{project}/app", "v2", fresh.Digest)], Items(plan.GetProperty("copy")));
        var skipped = Assert.Single(plan.GetProperty("skipped").EnumerateArray());
        Assert.Equal(["repository", "tag", "digest", "reason"], skipped.EnumerateObject().Select(p => p.Name));
        Assert.Equal(($"{project}/app", "v1", ours.Digest), (skipped.GetProperty("repository").GetString(), skipped.GetProperty("tag").GetString(), skipped.GetProperty("digest").GetString()));
        var reason = skipped.GetProperty("reason").GetString();
        Assert.Contains(theirs.Digest, reason, StringComparison.Ordinal);
        Assert.Contains("override is off", reason, StringComparison.Ordinal);
        Assert.Equal(theirs.Digest, await destinationClient.GetManifestDigestAsync($"{project}/app", "v1"));
    }

    private static List<(string Repository, string Tag, string Digest)> Items(JsonElement list) =>
        list.EnumerateArray()
            .Select(e => (e.GetProperty("repository").GetString()!, e.GetProperty("tag").GetString()!, e.GetProperty("digest").GetString()!))
            .OrderBy(i => i.Item1, StringComparer.Ordinal).ThenBy(i => i.Item2, StringComparer.Ordinal)
            .ToList();

    private async Task<int> RegisterAsync(object registry)
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/registries", registry);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static string Project() => $"p{Guid.NewGuid():N}"[..12];

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
