using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// How <see cref="ResilientChatClient"/> protects model calls, on Polly: retries with exponential backoff and jitter that
/// wait as long as a 429's <c>Retry-After</c> asks, a timeout per attempt, a circuit breaker per model, and a chain of
/// fallback models tried in order when a model still fails. Give each node its own client to give it its own policy.
/// </summary>
public sealed record ChatResilienceOptions
{
    /// <summary>Retries after the first attempt, for transient failures (408, 409, 429, 5xx, timeouts, unreachable). 0 turns retries off.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>The first backoff delay; it doubles per retry (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts, also for a <c>Retry-After</c> the service asks for.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether backoff delays are spread randomly (so that many callers do not retry in step).</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>How long one attempt may take; a slower attempt is cancelled and counts as a transient timeout. None when null.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>The circuit breaker; none when null.</summary>
    public ChatCircuitBreakerOptions? CircuitBreaker { get; init; }

    /// <summary>Models tried in order when the model (after its retries) fails with a <see cref="ModelCallException"/>; each gets the same retries, timeout and its own breaker.</summary>
    public IReadOnlyList<IChatClient> Fallbacks { get; init; } = [];

    /// <summary>Called before each retry (for logs and tests): the model, the attempt that failed, its error, and the wait.</summary>
    public Func<ChatRetryInfo, ValueTask>? OnRetry { get; init; }

    /// <summary>The clock for waits, timeouts and the breaker (a fake one in tests); the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
