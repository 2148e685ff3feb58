using System.Collections.Immutable;

namespace DashFlow;

/// <summary>How a node runs: deferral, retries, a time limit.</summary>
public sealed record NodeOptions
{
    /// <summary>Holds the node's triggers until a superstep in which nothing else is triggered; then runs it once.</summary>
    public bool Defer { get; init; }

    /// <summary>Retries failed attempts; null for none.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>A time limit for one attempt; null for none. Passing it fails the attempt with <see cref="NodeTimeoutException"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The nodes this node's <see cref="Command{TState}"/>s may go to. Only used to check that every node can be
    /// reached and to draw the graph; a Command may still go elsewhere.
    /// </summary>
    public IReadOnlyList<string>? Destinations { get; init; }
}

/// <summary>
/// When and how often a failed node is tried again. Waits grow from <see cref="InitialInterval"/> by
/// <see cref="BackoffFactor"/> up to <see cref="MaxInterval"/>. Writes of a failed attempt are discarded; cancellation
/// is never retried.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all, the first included. At least 1.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The wait before the second attempt.</summary>
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The factor each wait is multiplied by (at least 1).</summary>
    public double BackoffFactor { get; init; } = 2.0;

    /// <summary>The longest wait.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(128);

    /// <summary>Whether each wait is lengthened by a random 0 to 25% so that many runs do not retry in lockstep.</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>Which failures retry; null uses <see cref="DefaultRetryOn"/>.</summary>
    public Func<Exception, bool>? RetryOn { get; init; }

    /// <summary>The exception types that retry, with their subtypes; used when <see cref="RetryOn"/> is null and this is not empty.</summary>
    public ImmutableArray<Type> RetryOnTypes { get; init; } = [];

    /// <summary>
    /// The default: every exception retries except cancellation, DashFlow's own errors and programming errors
    /// (argument, null reference, invalid cast, not implemented, not supported, format, key not found, index out of range).
    /// Two timeouts do retry: an attempt that ran past <see cref="NodeOptions.Timeout"/> (<see cref="NodeTimeoutException"/>;
    /// the limit is per attempt), and an operation cancelled because of a timeout (an
    /// <see cref="OperationCanceledException"/> whose inner exception is a <see cref="TimeoutException"/>, as
    /// <c>HttpClient</c> throws). Cancellation of the run itself is never retried, whatever this returns.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <returns>Whether to try again.</returns>
    public static bool DefaultRetryOn(Exception exception) => exception switch
    {
        NodeTimeoutException or OperationCanceledException { InnerException: TimeoutException } => true,
        OperationCanceledException or DashFlowException or ArgumentException or NullReferenceException
            or InvalidCastException or NotImplementedException or NotSupportedException or FormatException
            or KeyNotFoundException or IndexOutOfRangeException => false,
        _ => true,
    };

    internal bool ShouldRetry(Exception exception)
    {
        if (RetryOn is not null)
        {
            return RetryOn(exception);
        }

        if (!RetryOnTypes.IsDefaultOrEmpty)
        {
            foreach (var type in RetryOnTypes)
            {
                if (type.IsInstanceOfType(exception))
                {
                    return true;
                }
            }

            return false;
        }

        return DefaultRetryOn(exception);
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> + 2 (0 is the wait after the first failure), without jitter.</summary>
    /// <param name="attempt">The number of failed attempts so far, minus one.</param>
    /// <returns>The wait.</returns>
    public TimeSpan DelayFor(int attempt)
    {
        var ms = InitialInterval.TotalMilliseconds * Math.Pow(Math.Max(1.0, BackoffFactor), attempt);
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxInterval.TotalMilliseconds));
    }

    internal void Validate(string node)
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"The retry policy of node '{node}' has MaxAttempts = {MaxAttempts}; it must be at least 1.");
        }

        if (InitialInterval < TimeSpan.Zero || MaxInterval < TimeSpan.Zero || BackoffFactor < 1.0)
        {
            throw new ArgumentException($"The retry policy of node '{node}' has a negative interval or a backoff factor under 1.");
        }
    }
}
