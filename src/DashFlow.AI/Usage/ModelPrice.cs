namespace DashFlow.AI;

/// <summary>What a model costs per million tokens, in a currency of your choice.</summary>
/// <param name="InputPerMillionTokens">The price of a million prompt tokens.</param>
/// <param name="OutputPerMillionTokens">The price of a million completion tokens.</param>
/// <param name="CachedInputPerMillionTokens">The price of a million prompt tokens the provider served from its cache; the input price when null.</param>
public sealed record ModelPrice(decimal InputPerMillionTokens, decimal OutputPerMillionTokens, decimal? CachedInputPerMillionTokens = null)
{
    /// <summary>The cost of one call's tokens.</summary>
    /// <param name="inputTokens">Prompt tokens (cached ones included).</param>
    /// <param name="outputTokens">Completion tokens.</param>
    /// <param name="cachedInputTokens">The prompt tokens served from the provider's cache.</param>
    /// <returns>The cost.</returns>
    public decimal CostOf(long inputTokens, long outputTokens, long cachedInputTokens = 0)
    {
        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        return ((inputTokens - cached) * InputPerMillionTokens
            + cached * (CachedInputPerMillionTokens ?? InputPerMillionTokens)
            + outputTokens * OutputPerMillionTokens) / 1_000_000m;
    }
}
