using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Replication.Testing.Registries;

/// <summary>
/// A loopback endpoint that records the notification envelopes a registry posts, to see real distribution
/// events (or to check a registry's <c>notifications</c> configuration) without the app.
/// </summary>
public sealed class NotificationRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedNotification> _received = new();
    private LoopbackServer? _server;

    private NotificationRecorder()
    {
    }

    /// <summary>The URL to put in a <see cref="NotificationEndpoint"/>.</summary>
    public string Url => _server!.Url + "/events";

    /// <summary>Envelopes received so far, oldest first.</summary>
    public IReadOnlyList<RecordedNotification> Received => [.. _received];

    /// <summary>Starts the recorder on a free loopback port.</summary>
    public static async Task<NotificationRecorder> StartAsync(CancellationToken cancellationToken = default)
    {
        var recorder = new NotificationRecorder();
        recorder._server = await LoopbackServer.StartAsync(recorder.HandleAsync, cancellationToken);
        return recorder;
    }

    /// <summary>An endpoint entry pointing at this recorder, authenticated with <c>Bearer {secret}</c>.</summary>
    public NotificationEndpoint Endpoint(string secret = "recorder-secret") =>
        NotificationEndpoint.WithBearer("recorder", Url, secret) with { Backoff = TimeSpan.FromMilliseconds(200) };

    /// <summary>
    /// Polls until an event with <paramref name="action"/> (<c>push</c>, <c>pull</c>, <c>delete</c>) for
    /// <paramref name="repository"/> arrived, for the tag when given (blob events carry no tag), or throws after the timeout (20 s by default).
    /// </summary>
    public Task<JsonElement> WaitForEventAsync(string action, string repository, string? tag = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitForEventAsync(
            e => Text(e, "action") == action
                && e.TryGetProperty("target", out var target)
                && Text(target, "repository") == repository
                && (tag is null || Text(target, "tag") == tag),
            $"'{action}' event for {repository}{(tag is null ? string.Empty : ":" + tag)}",
            timeout ?? TimeSpan.FromSeconds(20),
            cancellationToken);

    /// <summary>Polls until an event matching <paramref name="predicate"/> arrived, or throws after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, string description, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var e in Received.SelectMany(n => n.Events))
            {
                if (predicate(e))
                {
                    return e;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {description} within {timeout.TotalSeconds:0} s; received {Received.Count} envelope(s).");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _received.Enqueue(new RecordedNotification(
            context.Request.ContentType ?? string.Empty,
            context.Request.Headers.Authorization.ToString(),
            body));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}

/// <summary>One envelope as received.</summary>
/// <param name="ContentType">Request <c>Content-Type</c> (distribution sends <c>application/vnd.docker.distribution.events.v1+json</c>).</param>
/// <param name="Authorization">The <c>Authorization</c> header the registry sent.</param>
/// <param name="Body">The raw JSON envelope.</param>
public sealed record RecordedNotification(string ContentType, string Authorization, string Body)
{
    /// <summary>The envelope's <c>events</c> array.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            using var json = JsonDocument.Parse(Body);
            return [.. json.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
        }
    }

    /// <summary>Hides the authorization value.</summary>
    public override string ToString() => $"RecordedNotification {{ ContentType = {ContentType}, Authorization = ***, Body = {Body.Length} chars }}";
}
