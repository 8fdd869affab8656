using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Replication.Admin.Components.Pages.Registries;
using Replication.Admin.Registries;
using Replication.Registry;

namespace Replication.Admin.Tests.Components;

public sealed class RegistryDialogTests : ComponentTestBase
{
    [Fact]
    public async Task Saving_an_empty_form_names_each_required_field_and_saves_nothing()
    {
        var (host, _) = await ShowDialogAsync<RegistryDialog>();

        Click(host, "Save");

        host.WaitForAssertion(() =>
        {
            var errors = ErrorTexts(host);
            Assert.Contains(errors, e => e.StartsWith("Name is required.", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("URL is required.", StringComparison.Ordinal));
        });
        Assert.Empty(await Registries.ListAsync());
    }

    [Theory]
    [InlineData("Name", "-bad name!", "Name may contain letters, digits, spaces")]
    [InlineData("URL", "ftp://registry.example.com", "URL must start with https:// or http://")]
    [InlineData("URL", "registry.example.com", "URL is not a valid address.")]
    [InlineData("URL", "https://registry.example.com/v2/", "URL must be the registry's root without a path")]
    [InlineData("URL", "https://bob:secret@registry.example.com", "URL must not contain a user name or password")]
    [InlineData("CA certificate", "not a certificate", "CA certificate could not be read.")]
    public async Task A_bad_value_shows_a_message_that_says_what_is_wrong(string label, string value, string expected)
    {
        var (host, _) = await ShowDialogAsync<RegistryDialog>();

        Type(host, label, value);
        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains(expected, StringComparison.Ordinal)));
        Assert.Empty(await Registries.ListAsync());
    }

    [Fact]
    public async Task A_too_long_description_says_how_long_it_may_be()
    {
        var (host, _) = await ShowDialogAsync<RegistryDialog>();

        Type(host, "Description", new string('x', RegistryEndpointValidator.DescriptionMaxLength + 1));
        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains("shorten it to at most 1000", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Username_and_password_credentials_require_both_fields()
    {
        var (host, _) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "http://127.0.0.1:5000");

        Choose(host, "Credential", "Username and password");
        Click(host, "Save");

        host.WaitForAssertion(() =>
        {
            var errors = ErrorTexts(host);
            Assert.Contains(errors, e => e.StartsWith("Username is required for username and password credentials.", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("Password is required for username and password credentials.", StringComparison.Ordinal));
        });
        Assert.Empty(await Registries.ListAsync());
    }

    [Fact]
    public async Task A_name_already_taken_is_refused_with_a_message_at_the_name()
    {
        await Registries.CreateAsync(new RegistryEndpointInput { Name = "harbor-prod", Url = "https://harbor.example.com" }, "alice");
        var (host, _) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "HARBOR-prod");
        Type(host, "URL", "https://other.example.com");

        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.StartsWith("A registry named 'HARBOR-prod' already exists.", StringComparison.Ordinal)));
        Assert.Single(await Registries.ListAsync());
    }

    [Fact]
    public async Task A_valid_new_registry_is_saved_and_returned_as_the_dialog_result()
    {
        var (host, dialog) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "http://127.0.0.1:5000/");
        Choose(host, "Credential", "Username and password");
        Type(host, "Username", "robot");
        Type(host, "Password", "s3cret-value");
        Type(host, "Description", "Lab registry");

        Click(host, "Save");

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));
        var saved = Assert.IsType<RegistryView>(result!.Data);
        Assert.Equal("source", saved.Name);
        Assert.Equal("http://127.0.0.1:5000", saved.Url);
        Assert.Equal("robot", saved.Username);
        Assert.True(saved.HasPassword);
        var endpoint = await Registries.GetClientEndpointAsync(saved.Id);
        Assert.Equal("s3cret-value", Assert.IsType<BasicCredential>(endpoint!.Credential).Password);
    }

    [Fact]
    public async Task Choosing_a_kind_fills_its_url_shows_its_help_and_saves_the_kind()
    {
        var (host, dialog) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "hub");

        Choose(host, "Kind", "Docker Hub");

        host.WaitForAssertion(() => Assert.Equal(RegistryKinds.DockerHubUrl, Field(host, "URL").GetAttribute("value")));
        Assert.Contains("hub.docker.com is the website", host.Markup, StringComparison.Ordinal);
        Assert.Contains("library/alpine", host.Markup, StringComparison.Ordinal);

        // Another service's kind replaces the address the previous kind brought; Harbor brings its project API.
        Choose(host, "Kind", "GitHub Container Registry");
        host.WaitForAssertion(() => Assert.Equal("https://ghcr.io", Field(host, "URL").GetAttribute("value")));
        Choose(host, "Kind", "Docker Hub");
        Click(host, "Save");

        var saved = Assert.IsType<RegistryView>((await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10)))!.Data);
        Assert.Equal((RegistryKinds.DockerHub, RegistryKinds.DockerHubUrl), (saved.Kind, saved.Url));
    }

    [Fact]
    public async Task A_website_for_a_registry_is_refused_with_the_address_to_use()
    {
        var (host, _) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "hub");
        Choose(host, "Kind", "Docker Hub");

        Type(host, "URL", "https://hub.docker.com");
        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains("Enter https://registry-1.docker.io instead", StringComparison.Ordinal)));
        Assert.Empty(await Registries.ListAsync());
    }

    [Fact]
    public async Task Editing_shows_the_password_field_empty_with_the_keep_hint_and_keeps_the_saved_password()
    {
        var created = await Registries.CreateAsync(
            new RegistryEndpointInput { Name = "source", Url = "https://reg.example.com", Username = "robot", Password = "first-secret" }, "alice");
        var parameters = new DialogParameters<RegistryDialog> { { d => d.Registry, created.Registry } };
        var (host, dialog) = await ShowDialogAsync(parameters);

        var password = Field(host, "Password");
        Assert.True(string.IsNullOrEmpty(password.GetAttribute("value")));
        Assert.DoesNotContain("first-secret", host.Markup, StringComparison.Ordinal);
        Assert.Contains("Leave empty to keep the saved password", host.Markup, StringComparison.Ordinal);

        Type(host, "Description", "changed");
        Click(host, "Save");
        await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));

        var endpoint = await Registries.GetClientEndpointAsync(created.Registry!.Id);
        Assert.Equal("first-secret", Assert.IsType<BasicCredential>(endpoint!.Credential).Password);
        Assert.Equal("changed", (await Registries.GetAsync(created.Registry.Id))!.Description);
    }

    [Fact]
    public async Task Editing_with_a_new_password_replaces_the_saved_one()
    {
        var created = await Registries.CreateAsync(
            new RegistryEndpointInput { Name = "source", Url = "https://reg.example.com", Username = "robot", Password = "first-secret" }, "alice");
        var (host, dialog) = await ShowDialogAsync(new DialogParameters<RegistryDialog> { { d => d.Registry, created.Registry } });

        Type(host, "Password", "second-secret");
        Click(host, "Save");
        await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));

        var endpoint = await Registries.GetClientEndpointAsync(created.Registry!.Id);
        Assert.Equal("second-secret", Assert.IsType<BasicCredential>(endpoint!.Credential).Password);
    }

    [Fact]
    public async Task Test_Connection_shows_the_registry_answer_for_the_unsaved_values()
    {
        RegistryClients.NextPing = new PingResult(PingOutcome.Ok, "Connected (registry/2.0)", "registry/2.0");
        var (host, _) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "http://127.0.0.1:5999");

        Click(host, "Test Connection");

        host.WaitForAssertion(() =>
        {
            var alert = host.Find(".ra-test-result");
            Assert.Contains("Connection OK.", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("Connected (registry/2.0)", alert.TextContent, StringComparison.Ordinal);
        });
        Assert.Equal(new Uri("http://127.0.0.1:5999"), Assert.Single(RegistryClients.Requested).BaseUrl);
        Assert.Empty(await Registries.ListAsync());
    }

    [Fact]
    public async Task A_successful_Test_Connection_of_the_saved_values_is_recorded_as_the_registry_status()
    {
        RegistryClients.NextPing = new PingResult(PingOutcome.Ok, "Connected (registry/2.0)", "registry/2.0");
        var (host, dialog) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "http://127.0.0.1:5999");
        Click(host, "Test Connection");
        host.WaitForAssertion(() => Assert.Contains("Connection OK.", host.Find(".ra-test-result").TextContent, StringComparison.Ordinal));

        Click(host, "Save");

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RegistryStatus.Healthy, Assert.IsType<RegistryView>(result!.Data).Status);
        var saved = Assert.Single(await Registries.ListAsync());
        Assert.Equal(RegistryStatus.Healthy, saved.Status);
        Assert.NotNull(saved.LastCheckedAt);
        Assert.Equal("Connected (registry/2.0)", saved.LastCheckMessage);
    }

    [Fact]
    public async Task A_Test_Connection_of_other_values_than_those_saved_is_not_recorded()
    {
        RegistryClients.NextPing = new PingResult(PingOutcome.Ok, "Connected (registry/2.0)", "registry/2.0");
        var (host, dialog) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "http://127.0.0.1:5999");
        Click(host, "Test Connection");
        host.WaitForAssertion(() => Assert.Contains("Connection OK.", host.Find(".ra-test-result").TextContent, StringComparison.Ordinal));
        Type(host, "URL", "http://127.0.0.1:5998");

        Click(host, "Save");

        await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));
        var saved = Assert.Single(await Registries.ListAsync());
        Assert.Equal(RegistryStatus.Unknown, saved.Status);
        Assert.Null(saved.LastCheckedAt);
    }

    [Fact]
    public async Task Test_Connection_shows_a_failure_with_its_cause()
    {
        RegistryClients.NextPing = new PingResult(PingOutcome.Unauthorized, "The registry refused the credentials: check the username and password.");
        var (host, _) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "URL", "http://127.0.0.1:5999");

        Click(host, "Test Connection");

        host.WaitForAssertion(() =>
        {
            var alert = host.Find(".ra-test-result");
            Assert.Contains("Connection failed.", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("refused the credentials", alert.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Test_Connection_while_editing_with_an_empty_password_uses_the_saved_one()
    {
        var created = await Registries.CreateAsync(
            new RegistryEndpointInput { Name = "source", Url = "https://reg.example.com", Username = "robot", Password = "first-secret" }, "alice");
        var (host, _) = await ShowDialogAsync(new DialogParameters<RegistryDialog> { { d => d.Registry, created.Registry } });

        Click(host, "Test Connection");

        host.WaitForAssertion(() => Assert.Single(RegistryClients.Requested));
        var credential = Assert.IsType<BasicCredential>(RegistryClients.Requested[0].Credential);
        Assert.Equal("robot", credential.Username);
        Assert.Equal("first-secret", credential.Password);
        host.WaitForAssertion(() => Assert.Contains("Connection OK.", host.Find(".ra-test-result").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_closes_without_saving()
    {
        var (host, dialog) = await ShowDialogAsync<RegistryDialog>();
        Type(host, "Name", "source");
        Type(host, "URL", "https://reg.example.com");

        Click(host, "Cancel");

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result!.Canceled);
        Assert.Empty(await Registries.ListAsync());
    }

    private Task<(IRenderedComponent<IComponent> Host, IDialogReference Dialog)> ShowDialogAsync(DialogParameters<RegistryDialog> parameters) =>
        ShowDialogAsync<RegistryDialog>(parameters);

}
