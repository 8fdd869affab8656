using Replication.Engine.Copying;
using Replication.Engine.Projects;
using Replication.Engine.Tests.Infrastructure;
using Replication.Registry;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Projects;

[Collection(RegistryFixture.Collection)]
public sealed class HarborProjectProvisionerTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_missing_project_is_created_private_once_and_an_existing_one_is_left_alone()
    {
        await using var harbor = await HarborApiStub.StartAsync();
        using var engine = new TestEngine();
        var provisioner = new HarborProjectProvisioner(engine.Factory);

        var created = await provisioner.EnsureProjectAsync(Endpoint(harbor), "team");
        var again = await provisioner.EnsureProjectAsync(Endpoint(harbor), "team");

        Assert.True(created);
        Assert.False(again);
        Assert.Equal(["team"], harbor.Projects);
        var body = Assert.Single(harbor.CreatedBodies);
        Assert.Equal("team", body.GetProperty("project_name").GetString());
        Assert.Equal("false", body.GetProperty("metadata").GetProperty("public").GetString());
        Assert.Equal(
            ["HEAD /api/v2.0/projects?project_name=team", "POST /api/v2.0/projects", "HEAD /api/v2.0/projects?project_name=team"],
            harbor.Requests);
    }

    [Fact]
    public async Task A_project_created_concurrently_counts_as_existing()
    {
        await using var harbor = await HarborApiStub.StartAsync();
        harbor.BeforeCreate = harbor.AddProject;
        using var engine = new TestEngine();
        var provisioner = new HarborProjectProvisioner(engine.Factory);

        Assert.False(await provisioner.EnsureProjectAsync(Endpoint(harbor), "team"));
        Assert.Equal(["team"], harbor.Projects);
    }

    [Fact]
    public async Task Where_HEAD_is_refused_the_exact_name_is_looked_up_in_the_listing()
    {
        await using var harbor = await HarborApiStub.StartAsync();
        harbor.RefuseHead = true;
        harbor.AddProject("team-old");
        using var engine = new TestEngine();
        var provisioner = new HarborProjectProvisioner(engine.Factory);

        Assert.True(await provisioner.EnsureProjectAsync(Endpoint(harbor), "team"));
        Assert.False(await provisioner.EnsureProjectAsync(Endpoint(harbor), "team-old"));
        Assert.Contains("GET /api/v2.0/projects?name=team&page_size=100&with_detail=false", harbor.Requests);
        Assert.Equal(["team", "team-old"], harbor.Projects.Order());
    }

    [Theory]
    [InlineData(false, "401 Unauthorized (the registry refused the credentials). Check the registry's username and password.")]
    [InlineData(true, "403 Forbidden (access denied): FORBIDDEN Only system admin can create project. The account may not create projects")]
    public async Task Refusals_say_what_to_fix(bool rightPassword, string expected)
    {
        await using var harbor = await HarborApiStub.StartAsync();
        harbor.ForbidCreation = true;
        using var engine = new TestEngine();
        var provisioner = new HarborProjectProvisioner(engine.Factory);
        var endpoint = rightPassword ? Endpoint(harbor) : Endpoint(harbor) with { Credential = RegistryCredential.Basic(harbor.UserName, "wrong") };

        var error = await Assert.ThrowsAsync<ReplicationException>(() => provisioner.EnsureProjectAsync(endpoint, "team"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(harbor.Password, error.Message, StringComparison.Ordinal);
        Assert.Empty(harbor.Projects);
    }

    [Fact]
    public async Task A_run_into_Harbor_creates_each_destination_project_before_pushing()
    {
        var source = await registries.AnonymousAsync();
        var registry = await registries.AnonymousAsync();
        await using var harbor = await HarborApiStub.StartAsync(registry.Url);
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(registry);
        var project = TestEngine.NewProject("src");
        var mirror = TestEngine.NewProject("mirror");
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/team/tool", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = new ReplicationScope
        {
            Source = TestEngine.EndpointOf(source),
            SourceProject = project,
            Destination = Endpoint(harbor),
            DestinationProject = mirror,
            DestinationKind = RegistryKind.Harbor,
        };

        var result = await engine.Runner.ReplicateAsync(scope);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal([mirror], harbor.Projects);
        Assert.Single(harbor.CreatedBodies);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{mirror}/app", "v1");
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/team/tool", dst, $"{mirror}/team/tool", "v1");
    }

    [Fact]
    public async Task A_project_that_cannot_be_created_fails_its_copies_and_pushes_nothing()
    {
        var source = await registries.AnonymousAsync();
        var registry = await registries.AnonymousAsync();
        await using var harbor = await HarborApiStub.StartAsync(registry.Url);
        harbor.ForbidCreation = true;
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(registry);
        var project = TestEngine.NewProject("src");
        var mirror = TestEngine.NewProject("mirror");
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/tool", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = new ReplicationScope
        {
            Source = TestEngine.EndpointOf(source),
            SourceProject = project,
            Destination = Endpoint(harbor),
            DestinationProject = mirror,
            DestinationKind = RegistryKind.Harbor,
        };

        var result = await engine.Runner.ReplicateAsync(scope);

        Assert.Equal(2, result.Tasks.Count);
        Assert.All(result.Tasks, task =>
        {
            Assert.Equal((TaskOutcome.Failed, false), (task.Outcome, task.IsTransient));
            Assert.Contains($"create the Harbor project '{mirror}'", task.Message, StringComparison.Ordinal);
            Assert.Equal(1, task.Attempts);
        });
        Assert.Single(harbor.CreatedBodies);
        Assert.Empty(await dst.ListTagsAsync($"{mirror}/app"));
    }

    [Fact]
    public async Task A_docker_registry_destination_never_calls_the_project_API()
    {
        var source = await registries.AnonymousAsync();
        var registry = await registries.AnonymousAsync();
        await using var harbor = await HarborApiStub.StartAsync(registry.Url);
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject("src");
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = new ReplicationScope
        {
            Source = TestEngine.EndpointOf(source),
            SourceProject = project,
            Destination = Endpoint(harbor),
            DestinationProject = TestEngine.NewProject("mirror"),
        };

        var result = await engine.Runner.ReplicateAsync(scope);
        Assert.True(result.Outcome == RunOutcome.Succeeded, result.Tasks[0].Message);
        Assert.Empty(harbor.Requests);
    }

    private static RegistryEndpoint Endpoint(HarborApiStub harbor) => new()
    {
        BaseUrl = new Uri(harbor.Url),
        Credential = RegistryCredential.Basic(harbor.UserName, harbor.Password),
    };
}
