using System.Net;

namespace DashFlow.AI;

/// <summary>
/// A call to a model failed. The message names the node the call came from (when known), the model, and the HTTP
/// status; <see cref="Exception.InnerException"/> holds the SDK's exception.
/// </summary>
public sealed class ModelCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="failure">What went wrong.</param>
    /// <param name="node">The node, when known.</param>
    /// <param name="model">The model, when known.</param>
    /// <param name="statusCode">The HTTP status, for <see cref="ModelCallFailure.HttpError"/>.</param>
    /// <param name="retryAfter">The service's <c>Retry-After</c>, when it sent one.</param>
    /// <param name="innerException">The SDK's exception.</param>
    public ModelCallException(string message, ModelCallFailure failure, string? node, string? model, int? statusCode, TimeSpan? retryAfter, Exception? innerException)
        : base(message, innerException)
    {
        Failure = failure;
        Node = node;
        Model = model;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>What went wrong.</summary>
    public ModelCallFailure Failure { get; }

    /// <summary>The node the call came from (see <see cref="ChatNodeScope"/>); null when the call ran outside a known node.</summary>
    public string? Node { get; }

    /// <summary>The model that was called.</summary>
    public string? Model { get; }

    /// <summary>The HTTP status the service answered with, for <see cref="ModelCallFailure.HttpError"/>.</summary>
    public int? StatusCode { get; }

    /// <summary>How long the service asked to wait before the next call (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether another attempt may succeed: 408, 409, 429 and 5xx answers, timeouts and unreachable services.</summary>
    public bool IsTransient => Failure switch
    {
        ModelCallFailure.Timeout or ModelCallFailure.Unreachable => true,
        ModelCallFailure.HttpError => StatusCode is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.Conflict or (int)HttpStatusCode.TooManyRequests or >= 500,
        _ => false,
    };
}
