namespace DashFlow.AI;

/// <summary>Tokens and cost added up over calls.</summary>
/// <param name="Calls">The calls.</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="Cost">The cost of the priced calls.</param>
/// <param name="UnpricedCalls">Calls to models the price table does not know (their cost is not in <see cref="Cost"/>).</param>
public sealed record TokenUsageSummary(int Calls, long InputTokens, long OutputTokens, decimal Cost, int UnpricedCalls)
{
    /// <summary>Nothing yet.</summary>
    public static TokenUsageSummary Empty { get; } = new(0, 0, 0, 0m, 0);

    /// <summary>All tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    internal static TokenUsageSummary Of(IEnumerable<TokenUsageRecord> records) =>
        records.Aggregate(Empty, (sum, r) => new TokenUsageSummary(
            sum.Calls + 1, sum.InputTokens + r.InputTokens, sum.OutputTokens + r.OutputTokens, sum.Cost + (r.Cost ?? 0m), sum.UnpricedCalls + (r.Cost is null ? 1 : 0)));
}
