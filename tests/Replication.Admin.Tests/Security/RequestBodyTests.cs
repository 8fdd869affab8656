using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Replication.Admin.Tests.Host;

namespace Replication.Admin.Tests.Security;

/// <summary>
/// Boundary: what automation sends. A field the resource does not have is refused with 400 naming it, on every
/// <c>/api/v1</c> route that reads a JSON body (enumerated, so a new one is covered), and nothing is saved; the OpenAPI
/// document says so (<c>additionalProperties: false</c>). What a GET returned can still be PUT back.
/// </summary>
public sealed class RequestBodyTests(SecurityAppFactory app) : IClassFixture<SecurityAppFactory>, IAsyncLifetime
{
    private HttpClient admin = null!;
    private int sourceId;
    private int destinationId;

    public async Task InitializeAsync()
    {
        admin = app.CreateClientFrom("203.0.113.50", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);
        sourceId = await CreateRegistryAsync("src");
        destinationId = await CreateRegistryAsync("dst");
    }

    public Task DisposeAsync()
    {
        admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_api_route_that_reads_json_refuses_an_unknown_field_with_400_naming_it()
    {
        var routes = Routes.Of(app.Services)
            .Where(r => r.IsApi && r.Endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)
            .ToList();
        // Registries, rules and alert channels (POST and PUT), tokens, own password, password reset: a new one is welcome, and covered below.
        Assert.Equal(9, routes.Count);

        foreach (var route in routes)
        {
            foreach (var method in route.MethodsToTry)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), route.SamplePath)
                {
                    Content = new StringContent("""{"bogusField":1}""", Encoding.UTF8, "application/json"),
                };
                using var response = await admin.SendAsync(request);

                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route.Key} answered {(int)response.StatusCode}");
                var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
                Assert.Contains("bogusField", errors.GetProperty("bogusField")[0].GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_registry_with_an_unknown_field_is_refused_and_not_created()
    {
        var name = Unique("bogus");

        using var response = await admin.PostAsJsonAsync("/api/v1/registries", new { name, url = "https://reg.example.com", bogusField = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("bogusField")[0].GetString();
        Assert.Equal("'bogusField' is not a field of this resource. Check its spelling (fields are camelCase) or leave it out.", message);
        Assert.DoesNotContain(name, await admin.GetStringAsync("/api/v1/registries"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_rule_option_is_refused_not_dropped_even_when_nested()
    {
        var name = Unique("typo");
        var rule = RuleBody(name);
        rule["overide"] = false;
        rule["trigger"]!["replicateDeletion"] = true;

        using var response = await admin.PostAsJsonAsync("/api/v1/rules", rule);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("overide", out _) || errors.TryGetProperty("trigger.replicateDeletion", out _), errors.ToString());
        Assert.DoesNotContain(name, await admin.GetStringAsync("/api/v1/rules"), StringComparison.Ordinal);

        rule.Remove("overide");
        using var nested = await admin.PostAsJsonAsync("/api/v1/rules", rule);
        Assert.Equal(HttpStatusCode.BadRequest, nested.StatusCode);
        Assert.True((await nested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("trigger.replicateDeletion", out _));

        ((JsonObject)rule["trigger"]!).Remove("replicateDeletion");
        using var fixedRule = await admin.PostAsJsonAsync("/api/v1/rules", rule);
        Assert.Equal(HttpStatusCode.Created, fixedRule.StatusCode);
    }

    [Fact]
    public async Task What_a_get_returned_can_be_put_back_as_it_is()
    {
        var registry = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/registries/{sourceId}");
        registry!["description"] = "changed by a read-modify-write client";
        using var registryPut = await admin.PutAsJsonAsync($"/api/v1/registries/{sourceId}", registry);
        Assert.Equal(HttpStatusCode.OK, registryPut.StatusCode);

        using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleBody(Unique("roundtrip")));
        var rule = await created.Content.ReadFromJsonAsync<JsonObject>();
        var id = rule!["id"]!.GetValue<int>();
        rule["description"] = "changed";
        rule["id"] = 999_999; // read-only: ignored, the URL names the rule
        using var rulePut = await admin.PutAsJsonAsync($"/api/v1/rules/{id}", rule);
        Assert.Equal(HttpStatusCode.OK, rulePut.StatusCode);
        Assert.Equal(id, (await rulePut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"x","sourceRegistryId":"one"}""", "sourceRegistryId", "wrong type")]
    [InlineData("""{"name":"x","repositories":{"include":"app*"}}""", "repositories.include", "wrong type")]
    [InlineData("""{"name":"x",""", "$", "not a valid JSON object")]
    [InlineData("""[1,2]""", "$", "not a valid JSON object")]
    public async Task A_body_that_cannot_be_read_is_refused_naming_where(string body, string field, string says)
    {
        using var response = await admin.PostAsync("/api/v1/rules", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains(says, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_says_request_bodies_take_no_other_fields()
    {
        using var anonymous = app.CreateClientFrom("203.0.113.51");
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var bodies = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .Where(operation => operation.Value.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out _))
            .Select(operation => operation.Value.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!)
            .Distinct()
            .ToList();
        Assert.Equal(["ApiTokenInput", "NotificationChannelInput", "PasswordChangeInput", "PasswordResetInput", "RegistryEndpointInput", "ReplicationRuleInput"], bodies.Select(Name).Order(StringComparer.Ordinal));

        foreach (var name in new[] { "RegistryEndpointInput", "ReplicationRuleInput", "TriggerInput", "RepositoryFilterInput", "PatternFilterInput", "ApiTokenInput", "PasswordChangeInput", "PasswordResetInput", "NotificationChannelInput" })
        {
            var schema = schemas.GetProperty(name);
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean(), $"{name} allows other fields");
        }

        // The read-only members a GET shows are accepted and say that they are ignored.
        var registry = schemas.GetProperty("RegistryEndpointInput").GetProperty("properties");
        foreach (var readOnly in new[] { "id", "status", "lastCheckedAt" })
        {
            Assert.True(registry.GetProperty(readOnly).GetProperty("readOnly").GetBoolean(), readOnly);
        }

        Assert.False(registry.GetProperty("name").TryGetProperty("readOnly", out _));
        Assert.True(schemas.GetProperty("ReplicationRuleInput").GetProperty("properties").GetProperty("id").GetProperty("readOnly").GetBoolean());

        static string Name(string reference) => reference[(reference.LastIndexOf('/') + 1)..];
    }

    private JsonObject RuleBody(string name) => new()
    {
        ["name"] = name,
        ["sourceRegistryId"] = sourceId,
        ["sourceProject"] = "team",
        ["repositories"] = new JsonObject { ["include"] = new JsonArray("app*"), ["exclude"] = new JsonArray() },
        ["tags"] = new JsonObject { ["include"] = new JsonArray("v*"), ["exclude"] = new JsonArray() },
        ["destinationRegistryId"] = destinationId,
        ["destinationProject"] = "",
        ["trigger"] = new JsonObject { ["mode"] = "manual", ["replicateDeletions"] = false, ["replicateExisting"] = false },
        ["override"] = true,
        ["includeReferrers"] = true,
        ["enabled"] = true,
    };

    private async Task<int> CreateRegistryAsync(string prefix)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/registries", new { name = Unique(prefix), url = $"https://{prefix}.example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

/// <summary>The same refusals in Production, where ASP.NET Core would otherwise answer a bare 400 or an error page.</summary>
public sealed class ProductionRequestBodyTests(ProductionRequestBodyTests.ProductionApp app) : IClassFixture<ProductionRequestBodyTests.ProductionApp>
{
    [Fact]
    public async Task An_unknown_field_is_named_and_a_form_without_its_token_is_a_400_not_a_500()
    {
        using var admin = app.CreateClientFrom("203.0.113.60", AdminAppFactory.AdminUserName, AdminAppFactory.AdminPassword);

        using var unknown = await admin.PostAsJsonAsync("/api/v1/registries", new { name = "prod", url = "https://reg.example.com", bogusField = 1 });
        using var forged = await admin.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("bogusField", out _));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    public sealed class ProductionApp : SecurityAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }
}
