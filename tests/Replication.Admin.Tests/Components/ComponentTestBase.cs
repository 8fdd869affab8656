using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Services;
using Replication.Admin.Audit;
using Replication.Admin.Dashboard;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using Replication.Admin.Security;
using Replication.Admin.Tests.Infrastructure;
using Replication.Engine.Planning;
using Replication.Registry;

namespace Replication.Admin.Tests.Components;

/// <summary>
/// MudBlazor components under bUnit with the app's real services on a real (temporary) SQLite database; only the registry
/// client factory is a stand-in. Renders the popover and dialog providers the way the layout does.
/// </summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly BunitAuthorizationContext authorization;

    protected ComponentTestBase()
    {
        // A wait returns as soon as its assertion holds; bUnit's 1 s default only fails tests on a loaded CI machine.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton(TimeProvider.System);
        var connectionString = $"Data Source={Path.Combine(data.Path, "replication.db")};Foreign Keys=True";
        Services.AddDbContextFactory<ReplicationDbContext>(options => options.UseSqlite(connectionString));
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddSingleton<RegistrySecrets>();
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<IRegistryClientFactory>(RegistryClients);
        Services.AddScoped<RegistryService>();
        Services.AddSingleton<Replication.Admin.Operations.RegistryHealthMonitor>();
        Services.AddSingleton(sp => new ReplicationPlanner(sp.GetRequiredService<IRegistryClientFactory>()));
        Services.AddSingleton<ReplicationRuleStore>();
        Services.AddSingleton<IRuleExecutionHistory, RuleExecutionHistory>();
        Services.AddScoped<ReplicationRuleService>();

        // Executions on the rules page (last execution, Replicate): the live notifier, store and queries, commands recorded.
        Services.AddSingleton<ExecutionNotifier>();
        Services.AddSingleton<LiveExecutions>();
        Services.AddSingleton<ExecutionQueries>();
        Services.AddSingleton<DashboardQueries>();
        Services.AddScoped<BrowserTime>();
        Services.AddSingleton<IExecutionCommands, Live.RecordingCommands>();

        authorization = AddAuthorization();
        authorization.SetAuthorized("alice");
        authorization.SetRoles(Roles.Administrator);
    }

    protected FakeRegistryClientFactory RegistryClients { get; } = new();

    protected RegistryService Registries => Services.GetRequiredService<RegistryService>();

    protected ReplicationRuleService Rules => Services.GetRequiredService<ReplicationRuleService>();

    public async Task InitializeAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        data.Dispose();
    }

    /// <summary>Renders the providers and opens <typeparamref name="TDialog"/> through <see cref="IDialogService"/>, as a page would.</summary>
    protected async Task<(IRenderedComponent<IComponent> Host, IDialogReference Dialog)> ShowDialogAsync<TDialog>(DialogParameters<TDialog>? parameters = null)
        where TDialog : IComponent
    {
        var host = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
        });
        var dialogs = Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await host.InvokeAsync(async () => reference = await dialogs.ShowAsync<TDialog>("Dialog", parameters ?? [], new DialogOptions()));
        host.WaitForAssertion(() => Assert.NotEmpty(host.FindAll(".mud-dialog")));
        return (host, reference!);
    }

    /// <summary>Renders <typeparamref name="TPage"/> below the providers the layout renders.</summary>
    protected IRenderedComponent<IComponent> RenderPage<TPage>()
        where TPage : IComponent =>
        Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(3);
            builder.CloseComponent();
        });

    /// <summary>Signs the test user in as a viewer instead of an administrator.</summary>
    protected void SignInAsViewer()
    {
        authorization.SetAuthorized("victor");
        authorization.SetRoles(Roles.Viewer);
    }

    /// <summary>The input (or textarea) of the form field whose visible label is <paramref name="label"/>.</summary>
    protected static IElement Field(IRenderedComponent<IComponent> host, string label)
    {
        var control = host.FindAll(".mud-input-control")
            .FirstOrDefault(c => c.QuerySelector("label")?.TextContent.Trim() == label)
            ?? throw new InvalidOperationException($"No field labelled '{label}'. Labels: {string.Join(", ", host.FindAll(".mud-input-control label").Select(l => l.TextContent.Trim()))}");
        return control.QuerySelector("textarea") ?? control.QuerySelector("input")!;
    }

    /// <summary>Types like a user: the input event for fields that validate while typing, then the change event.</summary>
    protected static void Type(IRenderedComponent<IComponent> host, string label, string value)
    {
        var field = Field(host, label);
        if (field.HasAttribute("blazor:oninput"))
        {
            field.Input(value);
            field = Field(host, label);
        }

        if (field.HasAttribute("blazor:onchange"))
        {
            field.Change(value);
        }

        // A busy renderer may still be applying the previous value; the next keystroke must not race it.
        host.WaitForAssertion(() => Assert.Equal(value, Field(host, label).GetAttribute("value")));
    }

    /// <summary>Opens the select labelled <paramref name="label"/> and clicks the item with <paramref name="itemText"/>.</summary>
    protected static void Choose(IRenderedComponent<IComponent> host, string label, string itemText)
    {
        var control = host.FindAll(".mud-select").First(s => s.QuerySelector("label")?.TextContent.Trim() == label);
        var opener = control.QuerySelectorAll("*").First(e => e.HasAttribute("blazor:onclick") || e.HasAttribute("blazor:onmousedown"));
        if (opener.HasAttribute("blazor:onmousedown"))
        {
            opener.MouseDown();
        }
        else
        {
            opener.Click();
        }

        host.WaitForAssertion(() => Assert.Contains(host.FindAll(".mud-popover-open .mud-list-item"), i => i.TextContent.Trim() == itemText));
        host.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == itemText).Click();
        host.WaitForAssertion(() => Assert.Equal(itemText, SelectText(host, label)));
    }

    /// <summary>The text a select shows for its current value.</summary>
    protected static string SelectText(IRenderedComponent<IComponent> host, string label)
    {
        var control = host.FindAll(".mud-select").First(s => s.QuerySelector("label")?.TextContent.Trim() == label);
        return control.QuerySelector("[role=combobox]")?.TextContent.Trim() ?? "";
    }

    /// <summary>
    /// Clicks the button with <paramref name="text"/>, found and clicked on the renderer's thread: a render between
    /// finding it and clicking it (a field's input still being applied) would otherwise leave a stale handler id.
    /// </summary>
    protected static void Click(IRenderedComponent<IComponent> host, string text) =>
        host.InvokeAsync(() => Button(host, text).Click()).GetAwaiter().GetResult();

    protected static IElement Button(IRenderedComponent<IComponent> host, string text) =>
        host.FindAll("button").FirstOrDefault(b => b.TextContent.Trim() == text)
        ?? throw new InvalidOperationException($"No button '{text}'.");

    /// <summary>Validation and helper texts currently shown as errors.</summary>
    protected static IReadOnlyList<string> ErrorTexts(IRenderedComponent<IComponent> host) =>
        host.FindAll(".mud-input-error").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).ToList();
}
