namespace DashFlow.AI;

/// <summary>A retry about to happen.</summary>
/// <param name="Model">The model.</param>
/// <param name="Node">The node the call came from, when known.</param>
/// <param name="AttemptNumber">The attempt that failed (0 is the first).</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Delay">The wait before the next attempt.</param>
public sealed record ChatRetryInfo(string? Model, string? Node, int AttemptNumber, Exception? Error, TimeSpan Delay);
