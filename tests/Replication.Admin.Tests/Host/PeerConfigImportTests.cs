using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using static Replication.Admin.Tests.Host.ConfigApiTests;

namespace Replication.Admin.Tests.Host;

/// <summary>
/// regsync and <c>skopeo sync --src yaml</c> files, written from the examples in their documentation, become registries
/// and rules; what cannot be expressed is listed entry by entry with the reason, and never imported in part.
/// </summary>
public sealed class PeerConfigImportTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    /// <summary>The configuration example of regsync's documentation (docs/regsync.md), as printed there.</summary>
    private const string RegsyncDocumentedExample = """
        x-sched-a: &sched-a "15 01 * * *"
        version: 1
        creds:
          - registry: localhost:5000
            tls: disabled
          - registry: docker.io
            user: "{{env \"HUB_USER\"}}"
            pass: "{{file \"/var/run/secrets/hub_token\"}}"
        defaults:
          ratelimit:
            min: 100
            retry: 15m
          parallel: 2
        sync:
          - source: busybox:latest
            target: localhost:5000/library/busybox:latest
            type: image
            interval: 60m
            backup: "backup-{{.Ref.Tag}}"
          - source: alpine
            target: localhost:5000/library/alpine
            type: repository
            tags:
              allow:
              - "latest"
              - "edge"
              - "3"
              - "3.\\d+"
              deny:
              - "3.0"
            schedule: *sched-a
            backup: "{{$t := time.Now}}{{printf \"%s/backups/%s:%s-%d%d%d\" .Ref.Registry .Ref.Repository .Ref.Tag $t.Year $t.Month $t.Day}}"
          - source: localreg:5000
            target: localcopy:5000
            type: registry
        """;

    /// <summary>The same example with what rules cannot do taken out (backups, a regex without an exact pattern).</summary>
    private const string RegsyncAdapted = """
        x-sched-a: &sched-a "15 01 * * *"
        version: 1
        creds:
          - registry: localhost:5000
            tls: disabled
        sync:
          - source: busybox:latest
            target: localhost:5000/library/busybox:latest
            type: image
            interval: 60m
          - source: alpine
            target: localhost:5000/library/alpine
            type: repository
            tags:
              allow:
              - "latest"
              - "edge"
              - "3"
              - "3\\.1[0-9]"
              deny:
              - "3.0"
            schedule: *sched-a
        """;

    /// <summary>The YAML example of skopeo-sync(1), as printed there.</summary>
    private const string SkopeoDocumentedExample = """
        registry.example.com:
            images:
                busybox: []
                redis:
                    - "1.0"
                    - "2.0"
                    - "sha256:0000000000000000000000000000000011111111111111111111111111111111"
            images-by-tag-regex:
                nginx: ^1\.13\.[12]-alpine-perl$
            credentials:
                username: john
                password: this is a secret
            tls-verify: true
            cert-dir: /home/john/certs
        quay.io:
            tls-verify: false
            images:
                coreos/etcd:
                    - latest
        """;

    [Fact]
    public async Task The_documented_regsync_example_lists_every_entry_it_cannot_import_with_the_reason()
    {
        using var client = app.CreateBasicClient();

        var plan = await ImportAsync(client, RegsyncDocumentedExample, dryRun: true, "&format=regsync");

        var unsupported = plan.GetProperty("unsupported").EnumerateArray().ToDictionary(u => u.GetProperty("entry").GetString()!, u => u.GetProperty("reason").GetString()!);
        Assert.Contains("backup", unsupported.Single(u => u.Key.StartsWith("sync[0]", StringComparison.Ordinal) && u.Key.Contains("busybox", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Contains("backup", unsupported.Single(u => u.Key.StartsWith("sync[1] alpine", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Contains("type registry", unsupported.Single(u => u.Key.StartsWith("sync[2]", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Contains("defaults.ratelimit", unsupported.Keys);
        Assert.Contains("defaults.parallel", unsupported.Keys);
        Assert.Empty(plan.GetProperty("create").EnumerateArray());
    }

    [Fact]
    public async Task A_regsync_file_becomes_registries_and_rules_and_importing_it_twice_changes_nothing()
    {
        using var client = app.CreateBasicClient();

        var applied = await ImportAsync(client, RegsyncAdapted, dryRun: false, "&format=regsync");

        Assert.Equal(["docker.io", "localhost-5000", "regsync-library-busybox-latest", "regsync-library-alpine"], Names(applied, "create"));
        Assert.Empty(applied.GetProperty("unsupported").EnumerateArray());
        using var scope = app.Services.CreateScope();
        var registries = await scope.ServiceProvider.GetRequiredService<RegistryService>().ListAsync();
        Assert.Equal("http://localhost:5000", registries.Single(r => r.Name == "localhost-5000").Url);
        Assert.Equal("https://registry-1.docker.io", registries.Single(r => r.Name == "docker.io").Url);
        var rules = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().ListAsync();
        var alpine = rules.Single(r => r.Name == "regsync-library-alpine");
        Assert.Equal("library", alpine.SourceProject);
        Assert.Equal(["alpine"], alpine.RepositoryNames);
        Assert.Equal(["latest", "edge", "3", "3.1[0-9]"], alpine.IncludeTags);
        Assert.Equal(["3?0"], alpine.ExcludeTags); // regsync's "3.0" is a regex: its dot is any character
        Assert.Equal(TriggerMode.Scheduled, alpine.TriggerMode);
        Assert.Equal("15 01 * * *", alpine.Cron);
        var busybox = rules.Single(r => r.Name == "regsync-library-busybox-latest");
        Assert.Equal(["latest"], busybox.IncludeTags);
        Assert.Equal("0 * * * *", busybox.Cron);

        var twice = await ImportAsync(client, RegsyncAdapted, dryRun: false, "&format=regsync");
        Assert.Empty(Names(twice, "create"));
        Assert.Empty(Names(twice, "change"));
    }

    [Fact]
    public async Task The_documented_skopeo_example_imports_what_a_rule_can_do_and_lists_the_rest()
    {
        using var client = app.CreateBasicClient();

        var plan = await ImportAsync(client, SkopeoDocumentedExample, dryRun: false, "&format=skopeo&destination=my-registry.local.lan/repo");

        var unsupported = plan.GetProperty("unsupported").EnumerateArray().ToDictionary(u => u.GetProperty("entry").GetString()!, u => u.GetProperty("reason").GetString()!);
        Assert.Contains("digest", unsupported["registry.example.com/redis"], StringComparison.Ordinal);
        Assert.Contains("cert-dir", unsupported["registry.example.com/busybox"], StringComparison.Ordinal);
        Assert.Contains("cert-dir", unsupported["registry.example.com/nginx (images-by-tag-regex)"], StringComparison.Ordinal);
        Assert.Equal(["quay.io", "my-registry.local.lan", "skopeo-quay.io-coreos-etcd"], Names(plan, "create"));
        using var scope = app.Services.CreateScope();
        var etcd = (await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>().ListAsync()).Single(r => r.Name == "skopeo-quay.io-coreos-etcd");
        Assert.Equal(("coreos", "repo", "my-registry.local.lan"), (etcd.SourceProject, etcd.DestinationProject, etcd.DestinationRegistryName));
        Assert.Equal(["etcd"], etcd.RepositoryNames);
        Assert.Equal(["latest"], etcd.IncludeTags);
        var quay = (await scope.ServiceProvider.GetRequiredService<RegistryService>().ListAsync()).Single(r => r.Name == "quay.io");
        Assert.False(quay.VerifyTls);
    }

    [Fact]
    public async Task Skopeo_entries_without_cert_dir_translate_their_regex_and_keep_their_credentials_secret()
    {
        using var client = app.CreateBasicClient();
        const string File = """
            registry.example.org:
                images-by-tag-regex:
                    team/nginx: ^1\.13\.[12]-alpine-perl$
                    team/web: ^v\d+$
                credentials:
                    username: john
                    password: this is a secret
            """;

        var plan = await ImportAsync(client, File, dryRun: true, "&format=skopeo&destination=mirror.example.org/team");

        Assert.Contains("skopeo-registry.example.org-team-nginx-regex", Names(plan, "create"));
        Assert.Contains("team/web", plan.GetProperty("unsupported")[0].GetProperty("entry").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("this is a secret", plan.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_skopeo_file_without_a_destination_is_refused_with_the_field()
    {
        using var client = app.CreateBasicClient();
        using var response = await PostAsync(client, SkopeoDocumentedExample, "dryRun=true&format=skopeo");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("my-registry.local.lan/repo", errors.GetProperty("destination")[0].GetString(), StringComparison.Ordinal);
    }
}
