using Hangfire.Logging;
using HangfireLogLevel = Hangfire.Logging.LogLevel;
using MicrosoftLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Replication.Admin.Jobs;

/// <summary>
/// Hangfire's loggers, written to this host's logging. Hangfire keeps its log provider in a static, so a logger can
/// outlive the host that made it (several hosts in one process, or one stopping): such a logger goes quiet instead of
/// throwing <see cref="ObjectDisposedException"/> into whatever Hangfire was doing.
/// </summary>
public sealed class HostLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    public ILog GetLogger(string name) => new HostLog(loggerFactory, name);

    private sealed class HostLog(ILoggerFactory loggerFactory, string name) : ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                var logger = _logger ??= loggerFactory.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLogLevel.Trace => MicrosoftLogLevel.Trace,
                    HangfireLogLevel.Debug => MicrosoftLogLevel.Debug,
                    HangfireLogLevel.Info => MicrosoftLogLevel.Information,
                    HangfireLogLevel.Warn => MicrosoftLogLevel.Warning,
                    HangfireLogLevel.Error => MicrosoftLogLevel.Error,
                    _ => MicrosoftLogLevel.Critical,
                };
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

#pragma warning disable CA2254 // Hangfire hands over a finished message, not a template.
                logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
