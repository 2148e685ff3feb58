namespace DashFlow.AI;

/// <summary>When a model's circuit opens: after too large a share of failed calls, calls fail at once for a while.</summary>
public sealed record ChatCircuitBreakerOptions
{
    /// <summary>The share of failed calls (0 to 1) within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>The fewest calls within <see cref="SamplingDuration"/> before the ratio counts.</summary>
    public int MinimumThroughput { get; init; } = 5;

    /// <summary>The window the ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before a trial call.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
