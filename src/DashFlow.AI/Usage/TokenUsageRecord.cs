namespace DashFlow.AI;

/// <summary>One model call's tokens and cost.</summary>
/// <param name="ThreadId">The run's thread id (<see cref="RunConfig.ThreadId"/>), when the call ran in a node of a run that has one.</param>
/// <param name="Node">The node, when known (see <see cref="ChatNodeScope"/>).</param>
/// <param name="Step">The superstep, when the node is known.</param>
/// <param name="Model">The model the response reported (else the one asked for).</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="CachedInputTokens">Prompt tokens the provider served from its cache.</param>
/// <param name="Cost">The cost from the price table; null when the table has no price for the model.</param>
public sealed record TokenUsageRecord(string? ThreadId, string? Node, int? Step, string? Model, long InputTokens, long OutputTokens, long CachedInputTokens, decimal? Cost);
