using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Replication.Registry.Content;
using Replication.Registry.Tests.Support;

namespace Replication.Registry.Tests.Protocol;

/// <summary>
/// Answers of registries that have the OCI 1.1 referrers API. distribution 2.8 has none, so a stub plays the registry:
/// every page of a long list is read, and a 400 (an invalid request, by the spec) says nothing about the registry.
/// </summary>
public sealed class ReferrersApiTests : IAsyncLifetime, IDisposable
{
    private const string Subject = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Refused = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string Empty = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());
    private readonly List<string> _requests = [];
    private WebApplication? _stub;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _stub = builder.Build();
        _stub.Run(AnswerAsync);
        await _stub.StartAsync();
        _url = _stub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        if (_stub is not null)
        {
            await _stub.StopAsync();
            await _stub.DisposeAsync();
        }
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Every_page_of_a_long_referrers_list_is_read()
    {
        var client = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(_url) });

        var answer = await client.GetReferrersFromApiAsync("team/app", Subject);

        Assert.Equal(ReferrersApiSupport.Supported, answer.Support);
        Assert.Equal(["sha256:" + new string('a', 64), "sha256:" + new string('b', 64)], answer.Referrers!.Select(r => r.Digest));
        Assert.Equal("application/vnd.example.sbom.v1+json", answer.Referrers![0].ArtifactType);
        Assert.Equal([$"/v2/team/app/referrers/{Subject}", $"/v2/team/app/referrers/{Subject}?page=2"], _requests);
    }

    [Fact]
    public async Task An_empty_index_means_no_referrers_from_a_registry_that_has_the_API()
    {
        var client = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(_url) });

        var answer = await client.GetReferrersFromApiAsync("team/app", Empty);

        Assert.Equal(ReferrersApiSupport.Supported, answer.Support);
        Assert.Empty(answer.Referrers!);
    }

    [Fact]
    public async Task A_400_concludes_nothing_about_the_registry()
    {
        var client = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(_url) });

        Assert.Equal(ReferrersApiAnswer.Unknown, await client.GetReferrersFromApiAsync("team/app", Refused));
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var query = context.Request.QueryString.Value ?? "";
        lock (_requests)
        {
            _requests.Add(path + query);
        }

        if (path.EndsWith(Refused, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { errors = new[] { new { code = "DIGEST_INVALID", message = "unsupported digest algorithm" } } });
            return;
        }

        char? page = path.EndsWith(Empty, StringComparison.Ordinal) ? null : query.Contains("page=2", StringComparison.Ordinal) ? 'b' : 'a';
        if (page == 'a')
        {
            context.Response.Headers.Link = $"<{path}?page=2>; rel=\"next\"";
        }

        context.Response.ContentType = "application/vnd.oci.image.index.v1+json";
        var manifests = page is null
            ? []
            : new[] { new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = "sha256:" + new string(page.Value, 64), size = 512, artifactType = "application/vnd.example.sbom.v1+json" } };
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 2, mediaType = "application/vnd.oci.image.index.v1+json", manifests }));
    }
}
