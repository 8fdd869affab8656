using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Replication.Admin.Hosting;
using Replication.Admin.Registries;
using Replication.Admin.Rules;
using Replication.Admin.Security;
using Replication.Registry;

namespace Replication.Admin.Demo;

/// <summary>
/// With <c>Demo:Enabled</c>: starts two local registries (<c>demo-source</c>, <c>demo-destination</c>) under the data
/// directory's <c>demo/</c>, pushes the sample images into the first, and registers both registries and the manual rule
/// <c>demo-mirror</c> when they do not exist yet, so a newcomer signs in and clicks Replicate. The registries stop with
/// the app. Anything missing (no <c>docker-registry</c> binary) is explained in the log and the app runs without the demo.
/// </summary>
public sealed class DemoEnvironment(
    IOptions<DemoOptions> options,
    IOptions<AdminOptions> adminOptions,
    StoragePaths storage,
    IServiceScopeFactory scopeFactory,
    IRegistryClientFactory clients,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DemoEnvironment> logger) : BackgroundService
{
    public const string SourceName = "demo-source";
    public const string DestinationName = "demo-destination";
    public const string RuleName = "demo-mirror";
    public const string Actor = "demo";

    private static readonly JsonSerializerOptions PortsJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    // Guarded by itself: set-up may still be starting a registry when a stop that did not wait for it runs.
    private readonly List<DemoRegistry> _registries = [];
    private bool _stopped;
    private readonly TaskCompletionSource<DemoReady> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the demo is set up (or with null when it is off or could not start).</summary>
    public Task<DemoReady> Ready => _ready.Task;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<DemoRegistry> started;
        lock (_registries)
        {
            _stopped = true;
            started = [.. _registries];
            _registries.Clear();
        }

        foreach (var registry in started)
        {
            await registry.DisposeAsync();
        }

        if (started.Count > 0)
        {
            logger.LogInformation("Demo: stopped the demo registries");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            _ready.TrySetResult(DemoReady.Off);
            return;
        }

        try
        {
            var ready = await SetUpAsync(settings, stoppingToken);
            _ready.TrySetResult(ready);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _ready.TrySetResult(DemoReady.Off);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or RegistryException or HttpRequestException or UnauthorizedAccessException)
        {
            logger.LogError(exception, "Demo: the demo could not be set up; the app runs without it ({Reason})", exception.Message);
            _ready.TrySetResult(DemoReady.Off);
        }
    }

    private async Task<DemoReady> SetUpAsync(DemoOptions settings, CancellationToken cancellationToken)
    {
        var binary = FindBinary(settings.RegistryBinary);
        if (binary is null)
        {
            logger.LogWarning(
                "Demo: the CNCF distribution registry is not installed, so the demo registries cannot start. " +
                "Install it (Debian/Ubuntu: sudo apt-get install docker-registry) or set Demo:RegistryBinary; scripts/run.sh does this for you. " +
                "The app runs without the demo.");
            return DemoReady.Off;
        }

        var directory = Path.Combine(storage.DataDirectory, "demo");
        Directory.CreateDirectory(directory);
        var remembered = await LoadPortsAsync(directory, cancellationToken);
        var source = await StartRegistryAsync(binary, SourceName, directory, settings.SourcePort > 0 ? settings.SourcePort : remembered.Source, cancellationToken);
        var destination = await StartRegistryAsync(binary, DestinationName, directory, settings.DestinationPort > 0 ? settings.DestinationPort : remembered.Destination, cancellationToken);
        await SavePortsAsync(directory, new DemoPorts(source.Port, destination.Port), cancellationToken);

        var pushed = await SampleImages.PushAsync(clients.Create(new Replication.Registry.RegistryEndpoint { BaseUrl = source.Url }), cancellationToken);
        var samples = SampleImages.Build().Select(t => $"{SampleImages.Project}/{t.Repository}:{t.Tag}").ToList();

        await using var scope = scopeFactory.CreateAsyncScope();
        var registries = scope.ServiceProvider.GetRequiredService<RegistryService>();
        var sourceId = await EnsureRegistryAsync(registries, SourceName, source.Url, "Local demo registry with sample images in project 'demo' (started by Replication Admin).", cancellationToken);
        var destinationId = await EnsureRegistryAsync(registries, DestinationName, destination.Url, "Local demo registry that demo-mirror replicates into (started by Replication Admin).", cancellationToken);
        var rules = scope.ServiceProvider.GetRequiredService<ReplicationRuleService>();
        var ruleCreated = await EnsureRuleAsync(rules, sourceId, destinationId, cancellationToken);

        var appUrl = await AppUrlAsync(cancellationToken);
        var userName = string.IsNullOrWhiteSpace(adminOptions.Value.UserName) ? "admin" : adminOptions.Value.UserName.Trim();
        var summary = string.Join(
            "\n",
            "",
            "======================== DEMO READY ========================",
            $"  Registries : {SourceName} at {source.Url}, {DestinationName} at {destination.Url}",
            $"               (storage {directory}; they stop with the app)",
            $"  Images     : {pushed} sample tag(s) pushed now, {samples.Count} in project 'demo' of {SourceName}:",
            $"               {string.Join(", ", samples)}",
            $"  Rule       : {RuleName} ({(ruleCreated ? "created" : "already there")}), manual, {SourceName}/demo -> {DestinationName}/demo",
            $"  Try it     : open {appUrl}, sign in as '{userName}' (password: Admin:InitialPassword, or the generated",
            "               one printed once when the account was created), go to Replication Rules and click",
            $"               Replicate on {RuleName}; the dashboard shows the run live.",
            "  Without it : scripts/run.sh --no-demo, or Demo:Enabled=false",
            "============================================================");
        logger.LogInformation("{DemoSummary}", summary);
        return new DemoReady(true, source.Url, destination.Url);
    }

    private async Task<DemoRegistry> StartRegistryAsync(string binary, string name, string directory, int port, CancellationToken cancellationToken)
    {
        var registry = await DemoRegistry.StartAsync(binary, name, Path.Combine(directory, name), port, cancellationToken);
        bool stopped;
        lock (_registries)
        {
            stopped = _stopped;
            if (!stopped)
            {
                _registries.Add(registry);
            }
        }

        if (stopped)
        {
            // The app stopped while this one started: it must not outlive the app.
            await registry.DisposeAsync();
            throw new OperationCanceledException("The app stopped while the demo registries started.", cancellationToken);
        }

        logger.LogInformation("Demo: started {Registry}", registry);
        return registry;
    }

    private async Task<int> EnsureRegistryAsync(RegistryService registries, string name, Uri url, string description, CancellationToken cancellationToken)
    {
        var address = url.ToString().TrimEnd('/');
        var existing = (await registries.ListAsync(cancellationToken)).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        if (existing is null)
        {
            var created = await registries.CreateAsync(
                new RegistryEndpointInput { Name = name, Url = address, Type = RegistryTypes.DockerRegistry, Description = description },
                Actor,
                cancellationToken);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Registry '{name}' could not be registered: {string.Join(" ", created.Errors.SelectMany(e => e.Value))}");
            }

            logger.LogInformation("Demo: registered registry {Registry} at {Url}", name, address);
            return created.Registry!.Id;
        }

        if (existing.Url.TrimEnd('/') != address && Uri.TryCreate(existing.Url, UriKind.Absolute, out var old) && old.IsLoopback)
        {
            // The demo registry came up on another port than last time: follow it.
            var input = RegistryEndpointInput.From(existing);
            input.Url = address;
            var updated = await registries.UpdateAsync(existing.Id, input, Actor, cancellationToken);
            if (updated.Succeeded)
            {
                logger.LogInformation("Demo: registry {Registry} now points at {Url}", name, address);
            }
        }

        return existing.Id;
    }

    private async Task<bool> EnsureRuleAsync(ReplicationRuleService rules, int sourceId, int destinationId, CancellationToken cancellationToken)
    {
        if ((await rules.ListAsync(cancellationToken)).Any(r => string.Equals(r.Name, RuleName, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var saved = await rules.CreateAsync(
            new ReplicationRuleInput
            {
                Name = RuleName,
                Description = "Demo: mirrors every image of project 'demo' from demo-source to demo-destination. Click Replicate.",
                SourceRegistryId = sourceId,
                SourceProject = SampleImages.Project,
                DestinationRegistryId = destinationId,
                DestinationProject = "",
                Trigger = new TriggerInput { Mode = TriggerModes.Manual },
                Enabled = true,
            },
            Actor,
            cancellationToken);
        if (!saved.Succeeded)
        {
            throw new InvalidOperationException($"Rule '{RuleName}' could not be created: {string.Join(" ", saved.Errors.SelectMany(e => e.Value))}");
        }

        logger.LogInformation("Demo: created rule {Rule}", RuleName);
        return true;
    }

    private async Task<string> AppUrlAsync(CancellationToken cancellationToken)
    {
        // The addresses are known once the server listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() ?? HostingExtensions.DefaultUrl;
    }

    private static string? FindBinary(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var candidates = new List<string> { "/usr/bin/docker-registry" };
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(dir, "docker-registry"));
            candidates.Add(Path.Combine(dir, "registry"));
        }

        return candidates.FirstOrDefault(File.Exists);
    }

    private static async Task<DemoPorts> LoadPortsAsync(string directory, CancellationToken cancellationToken)
    {
        var file = Path.Combine(directory, "ports.json");
        if (!File.Exists(file))
        {
            return new DemoPorts(0, 0);
        }

        try
        {
            await using var stream = File.OpenRead(file);
            return await JsonSerializer.DeserializeAsync<DemoPorts>(stream, PortsJson, cancellationToken) ?? new DemoPorts(0, 0);
        }
        catch (JsonException)
        {
            return new DemoPorts(0, 0);
        }
    }

    private static async Task SavePortsAsync(string directory, DemoPorts ports, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(Path.Combine(directory, "ports.json"));
        await JsonSerializer.SerializeAsync(stream, ports, PortsJson, cancellationToken);
    }

    /// <summary>The ports used last time, so registered URLs stay valid across restarts.</summary>
    private sealed record DemoPorts(int Source, int Destination);
}

/// <summary>The outcome of the demo's set-up.</summary>
public sealed record DemoReady(bool Enabled, Uri? SourceUrl, Uri? DestinationUrl)
{
    public static DemoReady Off { get; } = new(false, null, null);
}
