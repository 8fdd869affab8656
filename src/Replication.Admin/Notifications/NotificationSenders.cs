using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Replication.Admin.Notifications;

/// <summary><c>Notifications</c>: the SMTP server e-mail channels send through, and the portal's address for links.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>The portal as recipients reach it (e.g. https://replication.example.com); links in alerts start with it.</summary>
    public string? PortalUrl { get; set; }

    /// <summary>How long one delivery may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>None, StartTls, StartTlsWhenAvailable (default) or SslOnConnect.</summary>
    public string Security { get; set; } = "StartTlsWhenAvailable";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "replication-admin@localhost";
}

/// <summary>An alert ready to send: the JSON webhooks get and the text the others are made of.</summary>
public sealed record Alert(string Event, string Subject, string Text, string Json);

/// <summary>What a channel needs to send: its target and its decrypted secret.</summary>
public sealed record ChannelAddress(string Kind, string Target, string? Secret);

/// <summary>Sends alerts to the three kinds of channel. Throws <see cref="NotificationDeliveryException"/> with the cause on failure.</summary>
public sealed class NotificationSender(IHttpClientFactory httpClients, IOptionsMonitor<NotificationOptions> options)
{
    public const string HttpClientName = "notifications";
    public const string SignatureHeader = "X-Replication-Signature";
    public const string EventHeader = "X-Replication-Event";

    /// <summary>Sends and says what the other side answered ("HTTP 200", "250 OK").</summary>
    public async Task<string> SendAsync(ChannelAddress channel, Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(alert);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        try
        {
            return channel.Kind switch
            {
                ChannelKinds.Webhook => await PostAsync(channel.Target, alert.Json, alert.Event, channel.Secret, timeout.Token),
                ChannelKinds.Slack => await PostAsync(channel.Secret ?? channel.Target, JsonSerializer.Serialize(new { text = alert.Text }), alert.Event, null, timeout.Token),
                ChannelKinds.Email => await MailAsync(channel.Target, alert, timeout.Token),
                _ => throw new NotificationDeliveryException($"Unknown channel kind '{channel.Kind}'."),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotificationDeliveryException($"No answer within {options.CurrentValue.Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException exception)
        {
            throw new NotificationDeliveryException($"Unreachable: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or IOException or SmtpCommandException or SmtpProtocolException or SslHandshakeException or AuthenticationException)
        {
            throw new NotificationDeliveryException($"The mail server refused or could not be reached: {exception.Message}", exception);
        }
    }

    /// <summary>HMAC-SHA256 of the body with the channel's key, as the signature header carries it.</summary>
    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private async Task<string> PostAsync(string url, string body, string alertEvent, string? secret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(EventHeader, alertEvent);
        if (secret is not null)
        {
            request.Headers.Add(SignatureHeader, Sign(secret, body));
        }

        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Replication-Admin", "1.0"));
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new NotificationDeliveryException($"The receiver answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        return $"HTTP {(int)response.StatusCode}";
    }

    private async Task<string> MailAsync(string recipients, Alert alert, CancellationToken cancellationToken)
    {
        var smtp = options.CurrentValue.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            throw new NotificationDeliveryException("No mail server is configured: set Notifications:Smtp:Host (and Port, From).");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var recipient in NotificationChannelValidator.SplitAddresses(recipients))
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = alert.Subject;
        message.Headers.Add(EventHeader, alert.Event);
        message.Body = new TextPart("plain") { Text = alert.Text };
        using var client = new SmtpClient();
        var security = Enum.TryParse<SecureSocketOptions>(smtp.Security, ignoreCase: true, out var parsed) ? parsed : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }

        var answer = await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        return string.IsNullOrWhiteSpace(answer) ? "accepted by the mail server" : answer.Trim();
    }
}

public sealed class NotificationDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
