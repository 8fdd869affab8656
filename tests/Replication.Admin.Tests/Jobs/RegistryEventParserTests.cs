using System.Text;
using Replication.Admin.Executions;
using Replication.Admin.Webhooks;
using Replication.Engine.Planning;

namespace Replication.Admin.Tests.Jobs;

public sealed class RegistryEventParserTests
{
    private const string Digest = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    [Fact]
    public void A_distribution_envelope_keeps_tagged_manifest_pushes_and_deletions()
    {
        var body = $$$"""
            {"events":[
              {"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{{{Digest}}}","repository":"team/app","tag":"v1","url":"http://r/v2/team/app/manifests/{{{Digest}}}"}},
              {"action":"push","target":{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{Digest}}}","repository":"team/app","url":"http://r/v2/team/app/blobs/{{{Digest}}}"}},
              {"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Digest}}}","repository":"team/app","url":"http://r/v2/team/app/manifests/{{{Digest}}}"}},
              {"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Digest}}}","repository":"team/app","tag":"v1"}},
              {"action":"mount","target":{"digest":"{{{Digest}}}","repository":"team/app"}},
              {"action":"delete","target":{"digest":"{{{Digest}}}","repository":"team/app"}}
            ]}
            """;

        Assert.True(RegistryEventParser.TryParse(Encoding.UTF8.GetBytes(body), out var batch, out var error), error);

        Assert.Equal("distribution", batch.Format);
        Assert.Equal(4, batch.Ignored);
        Assert.Equal(
            [new SourceChange(SourceChangeKind.Pushed, "team/app", "v1", Digest), new SourceChange(SourceChangeKind.Deleted, "team/app", null, Digest)],
            batch.Changes);
    }

    [Theory]
    [InlineData("PUSH_ARTIFACT", SourceChangeKind.Pushed)]
    [InlineData("DELETE_ARTIFACT", SourceChangeKind.Deleted)]
    public void A_Harbor_payload_names_the_repository_and_each_resource(string type, SourceChangeKind kind)
    {
        var body = $$$"""{"type":"{{{type}}}","event_data":{"resources":[{"digest":"{{{Digest}}}","tag":"1.0"}],"repository":{"namespace":"library","name":"nginx","repo_full_name":"library/nginx"} } }""";

        Assert.True(RegistryEventParser.TryParse(Encoding.UTF8.GetBytes(body), out var batch, out var error), error);

        Assert.Equal([new SourceChange(kind, "library/nginx", "1.0", Digest)], batch.Changes);
    }

    [Fact]
    public void Harbor_pulls_and_scans_are_ignored()
    {
        var body = """{"type":"PULL_ARTIFACT","event_data":{"resources":[],"repository":{"repo_full_name":"library/nginx"}}}""";
        Assert.True(RegistryEventParser.TryParse(Encoding.UTF8.GetBytes(body), out var batch, out _));
        Assert.Empty(batch.Changes);
        Assert.Equal(1, batch.Ignored);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("42")]
    [InlineData("{\"events\":{}}")]
    [InlineData("{\"events\":[{\"action\":\"push\"}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"team/app\"}}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"../etc\",\"digest\":\"" + Digest + "\"}}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"team/app\",\"digest\":\"sha256:x\"}}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"team/app\",\"digest\":\"sha256:fedcba9876543210fedcba9876543210\"}}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"team/app\",\"digest\":\"md5\"}}]}")]
    [InlineData("{\"events\":[{\"action\":\"delete\",\"target\":{\"repository\":\"team/app\\n\",\"digest\":\"" + Digest + "\"}}]}")]
    [InlineData("{\"type\":\"PUSH_ARTIFACT\",\"event_data\":{\"resources\":[{\"tag\":\"v1\"}]}}")]
    public void Malformed_bodies_are_refused_with_a_reason(string body)
    {
        Assert.False(RegistryEventParser.TryParse(Encoding.UTF8.GetBytes(body), out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void A_well_formed_digest_of_an_unregistered_algorithm_is_accepted()
    {
        // The OCI grammar allows algorithms it does not register; such an event is kept and matches nothing a rule recorded.
        var body = """{"events":[{"action":"delete","target":{"repository":"team/app","digest":"md5:x"}}]}""";
        Assert.True(RegistryEventParser.TryParse(Encoding.UTF8.GetBytes(body), out var batch, out var error), error);
        Assert.Equal([new SourceChange(SourceChangeKind.Deleted, "team/app", null, "md5:x")], batch.Changes);
    }

    [Fact]
    public void Secrets_match_only_themselves()
    {
        var secret = WebhookSecrets.Generate();
        var hash = WebhookSecrets.Hash(secret);
        Assert.True(secret.Length >= 43);
        Assert.True(WebhookSecrets.Matches(hash, secret));
        Assert.False(WebhookSecrets.Matches(hash, secret[..^1]));
        Assert.False(WebhookSecrets.Matches(hash, null));
        Assert.False(WebhookSecrets.Matches(null, secret));
        Assert.NotEqual(secret, WebhookSecrets.Generate());
    }

    [Fact]
    public async Task The_notifier_delivers_to_matching_subscribers_until_they_unsubscribe_and_survives_a_broken_one()
    {
        var notifier = new ExecutionNotifier(Microsoft.Extensions.Logging.Abstractions.NullLogger<ExecutionNotifier>.Instance);
        var all = new List<long>();
        var one = new List<long>();
        using var broken = notifier.Subscribe(_ => throw new InvalidOperationException("broken page"));
        var allSubscription = notifier.Subscribe(p => { all.Add(p.ExecutionId); return Task.CompletedTask; });
        using var oneSubscription = notifier.Subscribe(7, p => { one.Add(p.ExecutionId); return Task.CompletedTask; });

        await notifier.PublishAsync(new ExecutionProgress { ExecutionId = 7, RuleId = 1, Status = ExecutionStatus.Running });
        await notifier.PublishAsync(new ExecutionProgress { ExecutionId = 8, RuleId = 1, Status = ExecutionStatus.Running });
        allSubscription.Dispose();
        await notifier.PublishAsync(new ExecutionProgress { ExecutionId = 7, RuleId = 1, Status = ExecutionStatus.Succeeded });

        Assert.Equal([7L, 8L], all);
        Assert.Equal([7L, 7L], one);
        Assert.Equal(2, notifier.SubscriberCount);
    }
}
