using Polly;
using Polly.Retry;

namespace Replication.Engine;

/// <summary>
/// The engine's one layer of retries, for a task or a plan that still failed transiently after the registry client's
/// own request retries: <see cref="ReplicationOptions.MaxTaskAttempts"/> attempts in all, the n-th retry
/// <see cref="ReplicationOptions.TaskRetryDelay"/> × n after the failure (linear: the client already backed off).
/// </summary>
internal static class TaskRetries
{
    public static ResiliencePipeline Build(
        ReplicationOptions options,
        TimeProvider time,
        Func<Exception, bool> isTransient,
        Func<OnRetryArguments<object>, ValueTask>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isTransient);
        if (options.MaxTaskAttempts <= 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && isTransient(e)),
                MaxRetryAttempts = options.MaxTaskAttempts - 1,
                BackoffType = DelayBackoffType.Linear,
                Delay = options.TaskRetryDelay,
                UseJitter = false,
                OnRetry = onRetry,
            })
            .Build();
    }
}
