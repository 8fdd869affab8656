using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Replication.Admin.Security;

namespace Replication.Admin.Notifications;

/// <summary>A channel as the API shows it; <see cref="Secret"/> only in the answer that generated it.</summary>
public sealed record NotificationChannelResource(int Id, string Name, string Kind, string Target, IReadOnlyList<string> Events, IReadOnlyList<int> RuleIds, bool HasSecret, string? Secret = null)
{
    public static NotificationChannelResource From(NotificationChannelView view, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Id, view.Name, view.Kind, view.Target, view.Events, view.RuleIds, view.HasSecret, secret);
    }
}

public sealed record NotificationTestResource(bool Ok, string Message);

/// <summary><c>/api/v1/notification-channels</c>: alert channels, administrators only (they hold where alerts go).</summary>
public static class NotificationEndpoints
{
    public const string BasePath = "/api/v1/notification-channels";

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).WithTags("Alerts").RequireAuthorization(Policies.Administrator);
        group.MapGet("/", ListAsync).WithName("ListNotificationChannels").WithSummary("Alert channels, by name; never their secrets.");
        group.MapGet("/{id:int}", GetAsync).WithName("GetNotificationChannel").WithSummary("One alert channel.");
        group.MapPost("/", CreateAsync).WithName("CreateNotificationChannel")
            .WithSummary("Add a channel (webhook: JSON signed with X-Replication-Signature; slack: incoming webhook URL; email: recipients). A webhook without a secret gets one, returned once.");
        group.MapPut("/{id:int}", UpdateAsync).WithName("UpdateNotificationChannel").WithSummary("Change a channel; an empty secret (or Slack URL) keeps the saved one.");
        group.MapDelete("/{id:int}", DeleteAsync).WithName("DeleteNotificationChannel").WithSummary("Delete a channel and its delivery log.");
        group.MapPost("/{id:int}/test", TestAsync).WithName("TestNotificationChannel")
            .WithSummary("Send a test alert now; ok false with the cause (unreachable, refused, no mail server) when it did not arrive.");
        return endpoints;
    }

    private static async Task<Ok<List<NotificationChannelResource>>> ListAsync(NotificationService notifications, CancellationToken cancellationToken) =>
        TypedResults.Ok((await notifications.ListAsync(cancellationToken)).Select(c => NotificationChannelResource.From(c)).ToList());

    private static async Task<Results<Ok<NotificationChannelResource>, ProblemHttpResult>> GetAsync(int id, NotificationService notifications, CancellationToken cancellationToken) =>
        await notifications.GetAsync(id, cancellationToken) is { } channel ? TypedResults.Ok(NotificationChannelResource.From(channel)) : NotFound(id);

    private static async Task<Results<Created<NotificationChannelResource>, ValidationProblem>> CreateAsync(
        NotificationChannelInput input, NotificationService notifications, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await notifications.SaveAsync(null, input, Actor.NameOf(user), cancellationToken);
        return result.Channel is { } channel
            ? TypedResults.Created($"{BasePath}/{channel.Id}", NotificationChannelResource.From(channel, result.GeneratedSecret))
            : TypedResults.ValidationProblem(result.Errors, title: "The channel was not saved: fix the fields listed in errors.");
    }

    private static async Task<Results<Ok<NotificationChannelResource>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        int id, NotificationChannelInput input, NotificationService notifications, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await notifications.SaveAsync(id, input, Actor.NameOf(user), cancellationToken);
        if (result.NotFound)
        {
            return NotFound(id);
        }

        return result.Channel is { } channel
            ? TypedResults.Ok(NotificationChannelResource.From(channel, result.GeneratedSecret))
            : TypedResults.ValidationProblem(result.Errors, title: "The channel was not saved: fix the fields listed in errors.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(int id, NotificationService notifications, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await notifications.DeleteAsync(id, Actor.NameOf(user), cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static async Task<Results<Ok<NotificationTestResource>, ProblemHttpResult>> TestAsync(int id, NotificationService notifications, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await notifications.SendTestAsync(id, Actor.NameOf(user), cancellationToken) is { } result
            ? TypedResults.Ok(new NotificationTestResource(result.Ok, result.Message))
            : NotFound(id);

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Channel not found.", detail: $"There is no notification channel with id {id}.");
}
