using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Replication.Admin.Components.Pages.Rules;
using Replication.Admin.Registries;
using Replication.Admin.Rules;

namespace Replication.Admin.Tests.Components;

/// <summary>
/// The New Replication Rule dialog on the real services and database; the registry client is the scripted stand-in and
/// the clock is fake, so the preview's debounce and the cron's next runs are deterministic.
/// </summary>
public sealed class ReplicationRuleDialogTests : ComponentTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // Monday 2 March 2026, 10:30 UTC.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 10, 30, 0, TimeSpan.Zero));

    public ReplicationRuleDialogTests()
    {
        Services.AddSingleton<TimeProvider>(clock);
        RegistryClients.CatalogPages.Add(["team/app", "team/app-cli", "team/web", "team/sub/tool", "other/app"]);
        RegistryClients.Tags["team/app"] = ["v1", "v2", "v2-rc1", "latest"];
        RegistryClients.Tags["team/app-cli"] = ["v1"];
        RegistryClients.Tags["team/web"] = ["v1", "main"];
        RegistryClients.Tags["team/sub/tool"] = ["v3"];
        RegistryClients.Tags["other/app"] = ["v1"];
    }

    [Fact]
    public async Task Fields_have_visible_labels_in_the_order_of_the_issue()
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();

        host.WaitForAssertion(() => Assert.Contains("Name", Labels(host)));
        Assert.Equal(
            ["Name", "Description", "Source registry", "Source project", "Repositories", "Exclude repositories", "Repository names", "Tags", "Exclude tags", "Version range", "Newest tags",
             "Destination registry", "Destination project", "Flatten", "Destination prefix", "Trigger mode", DeleteRemote, "Platforms", "Bandwidth limit", "Unit", "Override existing tags", "Include signatures and attachments", "Enabled"],
            Labels(host));
        Assert.Contains("New Replication Rule", host.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal);
        Assert.Contains("{a,b}", host.Find(".ra-pattern-hint").TextContent, StringComparison.Ordinal);
        Assert.Contains("Docker Hub", HelperText(host, "Repository names"), StringComparison.Ordinal);
        Assert.Contains("Leave empty to list the catalog.", HelperText(host, "Repository names"), StringComparison.Ordinal);
        Assert.NotNull(Button(host, "Save"));
        Assert.NotNull(Button(host, "Cancel"));
    }

    [Fact]
    public async Task Trigger_fields_appear_only_for_the_mode_they_apply_to()
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Trigger mode", Labels(host)));

        Assert.DoesNotContain("Cron", Labels(host));
        Assert.Contains(DeleteRemote, Labels(host));
        Assert.Contains("Nothing this rule did not replicate is ever touched", host.Find("[data-testid=mirror-help]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(ReplicateExisting, Labels(host));

        Choose(host, "Trigger mode", "Immediate");
        host.WaitForAssertion(() => Assert.Contains(ReplicateExisting, Labels(host)));
        Assert.Contains(DeleteRemote, Labels(host));
        Assert.DoesNotContain("Cron", Labels(host));

        Choose(host, "Trigger mode", "Scheduled");
        host.WaitForAssertion(() => Assert.Contains("Cron", Labels(host)));
        Assert.Contains(DeleteRemote, Labels(host));
        Assert.DoesNotContain(ReplicateExisting, Labels(host));
        Assert.Equal(
            ["Trigger mode", "Cron", DeleteRemote, "Platforms"],
            Labels(host).SkipWhile(l => l != "Trigger mode").Take(4));

        Choose(host, "Trigger mode", "Manual");
        host.WaitForAssertion(() => Assert.DoesNotContain("Cron", Labels(host)));
        Assert.Contains(DeleteRemote, Labels(host));
    }

    [Fact]
    public async Task Saving_an_empty_form_names_each_required_field_and_saves_nothing()
    {
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Name", Labels(host)));

        Click(host, "Save");

        host.WaitForAssertion(() =>
        {
            var errors = ErrorTexts(host);
            Assert.Contains(errors, e => e.StartsWith("Name is required.", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("Source registry is required.", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("Source project is required.", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("Destination registry is required.", StringComparison.Ordinal));
        });
        Assert.Contains("Not saved.", host.Find(".ra-save-errors").TextContent, StringComparison.Ordinal);
        Assert.False(dialog.Result.IsCompleted);
        Assert.Empty(await Rules.ListAsync());
    }

    [Theory]
    [InlineData("Name", "-nightly", "Name may contain letters, digits, spaces")]
    [InlineData("Name", "team/nightly", "Name may contain letters, digits, spaces")]
    [InlineData("Description", null, "shorten it to at most 1000")]
    [InlineData("Source project", "Team", "is not a project name: use lowercase")]
    [InlineData("Source project", "team/app", "contains '/'")]
    [InlineData("Repositories", "{app,web", "Repositories: '{app,web' is not a valid pattern.")]
    [InlineData("Exclude repositories", "App", "Exclude repositories: 'App' is not a valid pattern.")]
    [InlineData("Repository names", "app, web*", "Repository names: 'web*' is a pattern, not a repository name; write exact names here and use the include patterns (Repositories) for wildcards.")]
    [InlineData("Repository names", "tools//cli", "Repository names: 'tools//cli' has an empty part")]
    [InlineData("Repository names", "app, app", "Repository names: 'app' is listed more than once")]
    [InlineData("Tags", "v1/x", "tags cannot contain '/'")]
    [InlineData("Exclude tags", "[z-a]", "is backwards")]
    [InlineData("Destination project", "my mirror", "is not a project name: spaces are not allowed")]
    [InlineData("Destination project", "<b>x</b>", "'<b>x</b>' is not a project name: '<', '>' and '/' are not allowed")]
    public async Task A_bad_value_shows_a_message_that_says_what_is_wrong(string label, string? value, string expected)
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains(label, Labels(host)));

        Type(host, label, value ?? new string('d', ReplicationRuleValidator.DescriptionMaxLength + 1));

        // Inline, while typing ...
        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains(expected, StringComparison.Ordinal)));

        // ... and Save is refused with the message listed.
        Click(host, "Save");
        host.WaitForAssertion(() => Assert.Contains(expected, host.Find(".ra-save-errors").TextContent, StringComparison.Ordinal));
        Assert.Empty(await Rules.ListAsync());
    }

    [Fact]
    public async Task An_error_shows_on_the_field_being_edited_and_on_the_others_only_at_save()
    {
        await AddRegistriesAsync();
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Repositories", Labels(host)));
        Choose(host, "Source registry", "source");
        Type(host, "Source project", "team");

        Type(host, "Repositories", "[a-");
        AdvanceOnceWaitingFor(host, "team | [a- |  |  | ");

        host.WaitForAssertion(() => Assert.Contains("is not a valid pattern", host.Find("[data-testid=rule-preview]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(["Repositories: '[a-' is not a valid pattern. '[' at position 1 is never closed; write [abc] or [a-z]."], FieldErrors(host));

        Click(host, "Save");
        host.WaitForAssertion(() =>
        {
            Assert.Contains(ErrorTexts(host), e => e.StartsWith("Name is required.", StringComparison.Ordinal));
            Assert.Contains(ErrorTexts(host), e => e.StartsWith("Destination registry is required.", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task A_name_longer_than_allowed_is_kept_and_the_counter_and_message_say_so()
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Name", Labels(host)));
        Assert.NotEqual("64", Field(host, "Name").GetAttribute("maxlength"));
        Assert.Contains("0 / 64", Counter(host, "Name"), StringComparison.Ordinal);

        Type(host, "Name", new string('n', 300));

        host.WaitForAssertion(() => Assert.Contains("300 / 64", Counter(host, "Name"), StringComparison.Ordinal));
        Assert.Equal(300, Field(host, "Name").GetAttribute("value")!.Length);
        Assert.Contains(ErrorTexts(host), e => e.StartsWith("Name is 300 characters long; shorten it to at most 64.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_schedule_more_often_than_once_a_minute_is_refused_and_its_runs_show_seconds()
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Trigger mode", Labels(host)));
        Choose(host, "Trigger mode", "Scheduled");
        host.WaitForAssertion(() => Assert.Contains("Cron", Labels(host)));

        Type(host, "Cron", "*/20 * * * * *");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains("runs every 20 seconds; a rule may run at most once every 1 minute", StringComparison.Ordinal)));
        Assert.Equal(
            ["Mon 2 Mar 2026, 10:30:20 UTC", "Mon 2 Mar 2026, 10:30:40 UTC", "Mon 2 Mar 2026, 10:31 UTC"],
            host.FindAll(".ra-cron-run").Select(r => r.TextContent.Trim()));
    }

    [Theory]
    [InlineData("", "Cron is required for a scheduled rule.")]
    [InlineData("0 2 * *", "Cron has 4 fields; it needs 5")]
    [InlineData("61 2 * * *", "Minutes: Value must be a number between 0 and 59")]
    [InlineData("0 2 30 2 *", "never runs")]
    public async Task A_bad_cron_says_what_is_wrong(string cron, string expected)
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Trigger mode", Labels(host)));
        Choose(host, "Trigger mode", "Scheduled");
        host.WaitForAssertion(() => Assert.Contains("Cron", Labels(host)));

        Type(host, "Cron", cron);

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains(expected, StringComparison.Ordinal)));
        Assert.Empty(host.FindAll("[data-testid=cron-reading]"));
    }

    [Fact]
    public async Task A_rule_onto_its_own_source_is_refused_at_the_destination_project()
    {
        var (source, _) = await AddRegistriesAsync();
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host, destination: source);

        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.Contains("would copy images onto themselves", StringComparison.Ordinal)));
        Assert.Empty(await Rules.ListAsync());
    }

    [Fact]
    public async Task A_name_already_taken_is_refused_with_a_message_at_the_name()
    {
        var (source, destination) = await AddRegistriesAsync();
        await Rules.CreateAsync(
            new ReplicationRuleInput { Name = "nightly", SourceRegistryId = source.Id, SourceProject = "team", DestinationRegistryId = destination.Id },
            "alice");
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host, name: "NIGHTLY");

        Click(host, "Save");

        host.WaitForAssertion(() => Assert.Contains(ErrorTexts(host), e => e.StartsWith("A rule named 'NIGHTLY' already exists.", StringComparison.Ordinal)));
        Assert.Single(await Rules.ListAsync());
    }

    [Fact]
    public async Task A_valid_form_is_saved_and_returned_as_the_dialog_result()
    {
        var (source, destination) = await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        Type(host, "Description", "Team images to the mirror");
        Type(host, "Repositories", "app*, {web,api}");
        Type(host, "Repository names", "app, tools/cli\nweb");
        Type(host, "Exclude tags", "*-rc*");
        Type(host, "Destination project", "mirror");
        Choose(host, "Trigger mode", "Scheduled");
        host.WaitForAssertion(() => Assert.Contains("Cron", Labels(host)));
        Type(host, "Cron", "30 14 * * 1-5");
        Check(host, DeleteRemote);
        Toggle(host, "Override existing tags");

        Click(host, "Save");

        var result = await dialog.Result.WaitAsync(Wait);
        var rule = Assert.IsType<ReplicationRuleView>(result!.Data);
        Assert.Equal("nightly", rule.Name);
        Assert.Equal("Team images to the mirror", rule.Description);
        Assert.Equal(source.Id, rule.SourceRegistryId);
        Assert.Equal("team", rule.SourceProject);
        Assert.Equal(["app*", "{web,api}"], rule.IncludeRepositories);
        Assert.Equal(["app", "tools/cli", "web"], rule.RepositoryNames);
        Assert.Equal(["*-rc*"], rule.ExcludeTags);
        Assert.Equal(destination.Id, rule.DestinationRegistryId);
        Assert.Equal("mirror", rule.DestinationProject);
        Assert.Equal(TriggerMode.Scheduled, rule.TriggerMode);
        Assert.Equal("30 14 * * 1-5", rule.Cron);
        Assert.True(rule.ReplicateDeletions);
        Assert.False(rule.Override);
        Assert.True(rule.IncludeReferrers);
        Assert.True(rule.Enabled);
        Assert.Equal("alice", rule.CreatedBy);
        var stored = Assert.Single(await Rules.ListAsync());
        Assert.Equal((rule.Id, rule.Name, rule.Cron), (stored.Id, stored.Name, stored.Cron));
        Assert.Equal(rule.IncludeRepositories, stored.IncludeRepositories);
        Assert.Equal(rule.RepositoryNames, stored.RepositoryNames);
    }

    [Fact]
    public async Task Editing_shows_the_saved_rule_and_saves_the_change()
    {
        var (source, destination) = await AddRegistriesAsync();
        var created = await Rules.CreateAsync(
            new ReplicationRuleInput
            {
                Name = "nightly", SourceRegistryId = source.Id, SourceProject = "team", DestinationRegistryId = destination.Id,
                Repositories = new RepositoryFilterInput { Include = ["app*", "{web,api}"], Names = ["app", "tools/cli"] },
                Trigger = new TriggerInput { Mode = TriggerModes.Scheduled, Cron = "0 2 * * *" },
            },
            "alice");
        var parameters = new DialogParameters<ReplicationRuleDialog> { { d => d.Rule, created.Rule } };
        var (host, dialog) = await ShowDialogAsync(parameters);

        host.WaitForAssertion(() => Assert.Equal("app*, {web,api}", Field(host, "Repositories").GetAttribute("value")));
        Assert.Contains("Edit Replication Rule: nightly", host.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal);
        Assert.Equal("0 2 * * *", Field(host, "Cron").GetAttribute("value"));
        Assert.Equal("app, tools/cli", Field(host, "Repository names").GetAttribute("value"));
        Type(host, "Cron", "0 3 * * *");
        Click(host, "Save");

        var result = await dialog.Result.WaitAsync(Wait);
        Assert.Equal("0 3 * * *", Assert.IsType<ReplicationRuleView>(result!.Data).Cron);
        var stored = (await Rules.GetAsync(created.Rule!.Id))!;
        Assert.Equal("0 3 * * *", stored.Cron);
        Assert.Equal(["app", "tools/cli"], stored.RepositoryNames);
    }

    [Fact]
    public async Task The_cron_is_read_in_plain_language_with_the_next_three_runs()
    {
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        host.WaitForAssertion(() => Assert.Contains("Trigger mode", Labels(host)));
        Choose(host, "Trigger mode", "Scheduled");
        host.WaitForAssertion(() => Assert.Contains("Cron", Labels(host)));

        Type(host, "Cron", "30 14 * * 1-5");

        host.WaitForAssertion(() =>
        {
            var reading = host.Find("[data-testid=cron-reading]");
            Assert.Equal("At 14:30 UTC, Monday through Friday", reading.QuerySelector(".ra-cron-description")!.TextContent.Trim());
            Assert.Equal(
                ["Mon 2 Mar 2026, 14:30 UTC", "Tue 3 Mar 2026, 14:30 UTC", "Wed 4 Mar 2026, 14:30 UTC"],
                reading.QuerySelectorAll(".ra-cron-run").Select(r => r.TextContent.Trim()));
        });

        Type(host, "Cron", "0 9 * * 6");

        host.WaitForAssertion(() =>
            Assert.Equal(
                ["Sat 7 Mar 2026, 09:00 UTC", "Sat 14 Mar 2026, 09:00 UTC", "Sat 21 Mar 2026, 09:00 UTC"],
                host.FindAll(".ra-cron-run").Select(r => r.TextContent.Trim())));
    }

    [Fact]
    public async Task The_preview_counts_what_the_filters_select_and_follows_the_patterns_after_a_pause()
    {
        await AddRegistriesAsync();
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);

        AdvanceOnceWaitingFor(host, "team |  |  |  | ");
        host.WaitForAssertion(() => Assert.Equal(("4", "8"), Counts(host)), Wait);
        Assert.Contains("team/app", host.Find("[data-testid=rule-preview]").TextContent, StringComparison.Ordinal);

        // Several changes in quick succession make one listing, once typing pauses.
        var listingsBefore = RegistryClients.Listings;
        Type(host, "Repositories", "app");
        Type(host, "Repositories", "app*");
        Type(host, "Tags", "v*");
        Type(host, "Exclude tags", "*-rc*");
        host.WaitForAssertion(() => Assert.Equal("team | app* |  | v* | *-rc*", WaitingFor(host)), Wait);
        clock.Advance(ReplicationRuleDialog.PreviewDebounce - TimeSpan.FromMilliseconds(1));
        Assert.Equal(listingsBefore, RegistryClients.Listings);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        host.WaitForAssertion(() => Assert.Equal(("2", "3"), Counts(host)), Wait);
        Assert.Equal(listingsBefore + 1, RegistryClients.Listings);
        var preview = host.Find("[data-testid=rule-preview]").TextContent;
        Assert.Contains("team/app-cli", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("v2-rc1", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("team/web", preview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_fields_narrow_the_preview_and_say_what_is_wrong()
    {
        RegistryClients.Tags["team/app"] = ["1.1.0", "1.2.0", "1.9.0", "1.10.0", "2.0.0", "latest"];
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        Type(host, "Repositories", "app");

        Type(host, "Version range", ">=1.2 <2");
        Type(host, "Newest tags", "2");
        AdvanceOnceWaitingFor(host, "team | app |  |  |  | versions >=1.2 <2 newest 2");
        host.WaitForAssertion(() => Assert.Equal(("1", "2"), Counts(host)), Wait);
        var preview = host.Find("[data-testid=rule-preview]").TextContent;
        Assert.Contains("1.10.0", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("1.2.0", preview, StringComparison.Ordinal);

        Type(host, "Version range", "newer than 1");
        host.WaitForAssertion(() => Assert.Contains("Not a semantic-version range", HelperText(host, "Version range") + host.Find(".mud-dialog").TextContent, StringComparison.Ordinal), Wait);
        Type(host, "Version range", "^1.2");
        Click(host, "Save");
        var saved = Assert.IsType<ReplicationRuleView>((await dialog.Result.WaitAsync(Wait))!.Data);
        Assert.Equal(("^1.2", (int?)2), (saved.SemverRange, saved.NewestTags));
    }

    [Fact]
    public async Task The_bandwidth_limit_is_saved_in_KiB_per_second_whatever_unit_was_chosen()
    {
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        Assert.Equal("Shared by all of the rule's parallel transfers. Empty: the global default", HelperText(host, "Bandwidth limit"));

        Type(host, "Platforms", "linux/amd64, linux/arm64/v8");
        host.WaitForAssertion(() => Assert.Contains("the destination digest differs from the source's", HelperText(host, "Platforms"), StringComparison.Ordinal), Wait);
        Type(host, "Bandwidth limit", "10");
        Choose(host, "Unit", "MiB/s");
        Click(host, "Save");

        var saved = Assert.IsType<ReplicationRuleView>((await dialog.Result.WaitAsync(Wait))!.Data);
        Assert.Equal(10 * 1024, saved.BandwidthLimitKiBps);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], saved.Platforms);
    }

    [Fact]
    public async Task The_preview_shows_destination_names_and_refuses_two_sources_on_one_name_naming_both()
    {
        RegistryClients.CatalogPages[0] = [.. RegistryClients.CatalogPages[0], "team/other/tool"];
        RegistryClients.Tags["team/other/tool"] = ["v1"];
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        AdvanceOnceWaitingFor(host, "team |  |  |  | ");
        host.WaitForAssertion(() => Assert.Equal(("5", "9"), Counts(host)), Wait);
        Assert.Empty(host.FindAll("[data-testid=preview-destination]"));

        Type(host, "Destination prefix", "mirror");
        AdvanceOnceWaitingFor(host, "team |  |  |  |  | →  mirror flatten none");
        host.WaitForAssertion(() => Assert.Contains("→ team/mirror/app", host.Find("[data-testid=rule-preview]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(host.FindAll("[data-testid=preview-collision]"));

        Choose(host, "Flatten", "Flatten all levels");
        AdvanceOnceWaitingFor(host, "team |  |  |  |  | →  mirror flatten all");
        host.WaitForAssertion(() => Assert.Contains("'team/other/tool' and 'team/sub/tool'", host.Find("[data-testid=preview-collision]").TextContent, StringComparison.Ordinal), Wait);

        Click(host, "Save");
        var saved = Assert.IsType<ReplicationRuleView>((await dialog.Result.WaitAsync(Wait))!.Data);
        Assert.Equal((Replication.Engine.DestinationNaming.FlattenAll, "mirror"), (saved.FlattenLevels, saved.DestinationPrefix));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_listing_shows_why_and_the_rule_can_still_be_saved()
    {
        RegistryClients.RefuseCatalog = true;
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);

        AdvanceOnceWaitingFor(host, "team |  |  |  | ");

        host.WaitForAssertion(() => Assert.Contains("does not allow listing its repositories", host.Find(".ra-preview-error").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("The rule can still be saved.", host.Find(".ra-preview-error").TextContent, StringComparison.Ordinal);
        Click(host, "Save");
        var result = await dialog.Result.WaitAsync(Wait);
        Assert.False(result!.Canceled);
    }

    [Fact]
    public async Task A_refused_catalog_points_at_Repository_names_and_the_names_preview_without_the_catalog()
    {
        RegistryClients.RefuseCatalog = true;
        await AddRegistriesAsync();
        var (host, _) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        AdvanceOnceWaitingFor(host, "team |  |  |  | ");
        host.WaitForAssertion(() => Assert.Contains("Repository names", host.Find(".ra-preview-error").TextContent, StringComparison.Ordinal), Wait);
        var listingsBefore = RegistryClients.Listings;

        Type(host, "Repository names", "app, web, missing");

        AdvanceOnceWaitingFor(host, "team |  |  |  |  | app, web, missing");
        host.WaitForAssertion(() => Assert.Equal(("2", "6"), Counts(host)), Wait);
        Assert.Equal(listingsBefore, RegistryClients.Listings);
        var preview = host.Find("[data-testid=rule-preview]").TextContent;
        Assert.Contains("team/app", preview, StringComparison.Ordinal);
        Assert.Contains("team/web", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("team/app-cli", preview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_never_blocks_saving()
    {
        var never = new TaskCompletionSource();
        RegistryClients.ListingGate = never.Task;
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);
        AdvanceOnceWaitingFor(host, "team |  |  |  | ");
        host.WaitForAssertion(() => Assert.Contains("Listing the source registry", host.Find("[data-testid=rule-preview]").TextContent, StringComparison.Ordinal), Wait);

        Click(host, "Save");

        var result = await dialog.Result.WaitAsync(Wait);
        Assert.Equal("nightly", Assert.IsType<ReplicationRuleView>(result!.Data).Name);
    }

    [Fact]
    public async Task Cancel_closes_without_saving()
    {
        await AddRegistriesAsync();
        var (host, dialog) = await ShowDialogAsync<ReplicationRuleDialog>();
        await FillValidAsync(host);

        Click(host, "Cancel");

        var result = await dialog.Result.WaitAsync(Wait);
        Assert.True(result!.Canceled);
        Assert.Empty(await Rules.ListAsync());
    }

    private const string DeleteRemote = "Delete remote images when deleted from source";
    private const string ReplicateExisting = "Replicate existing images immediately";

    private async Task<(RegistryView Source, RegistryView Destination)> AddRegistriesAsync()
    {
        var source = await Registries.CreateAsync(new RegistryEndpointInput { Name = "source", Url = "http://127.0.0.1:5001" }, "alice");
        var destination = await Registries.CreateAsync(new RegistryEndpointInput { Name = "destination", Url = "http://127.0.0.1:5002" }, "alice");
        return (source.Registry!, destination.Registry!);
    }

    /// <summary>Name, source registry and project, destination registry: the minimum a rule needs.</summary>
    private static Task FillValidAsync(IRenderedComponent<IComponent> host, string name = "nightly", RegistryView? destination = null)
    {
        host.WaitForAssertion(() => Assert.Contains("Source registry", Labels(host)));
        Type(host, "Name", name);
        Choose(host, "Source registry", "source");
        Type(host, "Source project", "team");
        Choose(host, "Destination registry", destination?.Name ?? "destination");
        return Task.CompletedTask;
    }

    private Task<(IRenderedComponent<IComponent> Host, IDialogReference Dialog)> ShowDialogAsync(DialogParameters<ReplicationRuleDialog> parameters) =>
        ShowDialogAsync<ReplicationRuleDialog>(parameters);

    /// <summary>Lets the debounce elapse once the dialog waits to list <paramref name="key"/> (its timer then exists).</summary>
    private void AdvanceOnceWaitingFor(IRenderedComponent<IComponent> host, string key)
    {
        host.WaitForAssertion(() => Assert.Equal(key, WaitingFor(host)), Wait);
        clock.Advance(ReplicationRuleDialog.PreviewDebounce);
    }

    private static string HelperText(IRenderedComponent<IComponent> host, string label) =>
        host.FindAll(".mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == label)
            .QuerySelector(".mud-input-helper-text")?.TextContent.Trim() ?? "";

    /// <summary>The error messages shown under fields.</summary>
    private static List<string> FieldErrors(IRenderedComponent<IComponent> host) =>
        host.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).ToList();

    private static string Counter(IRenderedComponent<IComponent> host, string label) =>
        host.FindAll(".mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == label)
            .QuerySelector(".mud-input-helper-text")?.TextContent.Trim() ?? "";

    private static string? WaitingFor(IRenderedComponent<IComponent> host) =>
        host.Find("[data-testid=rule-preview]").GetAttribute("data-waiting-for");

    private static (string Repositories, string Tags) Counts(IRenderedComponent<IComponent> host) =>
        (host.Find("[data-testid=preview-repositories]").TextContent.Trim(), host.Find("[data-testid=preview-tags]").TextContent.Trim());

    /// <summary>The visible labels of the dialog's fields, checkboxes and switches, top to bottom.</summary>
    private static List<string> Labels(IRenderedComponent<IComponent> host) =>
        host.Find(".mud-dialog").QuerySelectorAll("label.mud-input-label, label.mud-checkbox, label.mud-switch")
            .Select(l => l.TextContent.Trim())
            .Where(t => t.Length > 0)
            .ToList();

    private static void Check(IRenderedComponent<IComponent> host, string label) =>
        host.FindAll("label.mud-checkbox").First(l => l.TextContent.Trim() == label).QuerySelector("input")!.Change(true);

    private static void Toggle(IRenderedComponent<IComponent> host, string label)
    {
        var input = host.FindAll("label.mud-switch").First(l => l.TextContent.Trim() == label).QuerySelector("input")!;
        input.Change(!input.HasAttribute("checked"));
    }
}
