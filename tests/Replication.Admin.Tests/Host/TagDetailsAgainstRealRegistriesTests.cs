using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Admin.Tests.Host;

/// <summary>Browse's tag details (digest, size, platforms, creation time) read from real <c>docker-registry</c> processes.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class TagDetailsAgainstRealRegistriesTests(RegistryFixture registries, AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task An_image_and_a_multi_platform_index_tell_their_digest_size_platforms_and_creation_time()
    {
        var registry = await registries.BasicAsync();
        var repository = RegistryFixture.UniqueRepository("details/app");
        using var oci = new OciTestClient(registry);
        var image = await oci.PushImageAsync(repository, "single", ImageSpec.WithLayers(31, 70_000, 5_000).ForPlatform("arm64", "v8"));
        var index = await oci.PushIndexAsync(repository, "multi", [ImageSpec.WithLayers(32, 40_000), ImageSpec.WithLayers(33, 30_000).ForPlatform("arm", "v7")]);
        var id = await RegisterAsync(registry.Url, registry.UserName, registry.Password);
        using var scope = app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<RegistryService>();

        var single = (await service.GetTagDetailsAsync(id, repository, "single")).Details!;
        var multi = (await service.GetTagDetailsAsync(id, repository, "multi")).Details!;
        var missing = await service.GetTagDetailsAsync(id, repository, "nope");

        Assert.Equal((image.Digest, image.TotalSize), (single.Digest, single.Size));
        Assert.Equal(["linux/arm64/v8"], single.Platforms);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), single.Created);
        Assert.Equal((index.Digest, index.TotalSize), (multi.Digest, multi.Size));
        Assert.Equal(["linux/amd64", "linux/arm/v7"], multi.Platforms);
        Assert.True(multi.IsIndex);
        Assert.NotNull(missing.Error);
        Assert.Null(missing.Details);
    }

    private async Task<int> RegisterAsync(string url, string? userName, string? password)
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/registries", new { name = $"details-{Guid.NewGuid():N}"[..16], url, type = "docker-registry", username = userName, password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }
}
