using Replication.Admin.Executions;
using Replication.Admin.Operations;

namespace Replication.Admin.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Failure alerts: channels (webhook, Slack, e-mail), the outcome and registry handlers that queue them, the delivery job.</summary>
    public static WebApplicationBuilder AddReplicationNotifications(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<NotificationOptions>().Bind(builder.Configuration.GetSection(NotificationOptions.SectionName));
        services.AddHttpClient(NotificationSender.HttpClientName);
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<NotificationService>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<IExecutionOutcomeHandler>(provider => provider.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<IRegistryHealthHandler>(provider => provider.GetRequiredService<NotificationDispatcher>());
        services.AddTransient<NotificationDeliveryJob>();
        return builder;
    }
}
