namespace DashFlow.AI;

/// <summary>What went wrong in a <see cref="ModelCallException"/>.</summary>
public enum ModelCallFailure
{
    /// <summary>The service answered with an HTTP error status (401, 404, 429, 500, ...).</summary>
    HttpError = 0,

    /// <summary>No complete answer came in time (the SDK's network timeout or a resilience timeout).</summary>
    Timeout = 1,

    /// <summary>The answer could not be read (a body that is not the protocol's JSON).</summary>
    MalformedResponse = 2,

    /// <summary>The circuit breaker is open after repeated failures; the call was not made.</summary>
    CircuitOpen = 3,

    /// <summary>The service could not be reached (connection refused, DNS).</summary>
    Unreachable = 4,
}
