using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// Counts the tokens of model calls (from <see cref="ChatResponse.Usage"/>, or the usage update of a streamed answer) per
/// node, per run (thread) and in total, and prices them with a <see cref="ModelPriceTable"/>. Thread-safe; add it to a
/// client with <see cref="DashFlowChatClientBuilderExtensions.UseTokenUsage"/>. Answers served from a response cache
/// above it are not counted, because they cost nothing.
/// </summary>
/// <example><code>
/// var meter = new TokenUsageMeter(new ModelPriceTable().Add("gpt-4o-mini", new(0.15m, 0.60m)));
/// IChatClient llm = new ChatClientBuilder(inner).UseTokenUsage(meter).Build();
/// ...
/// Console.WriteLine($"{meter.Total.TotalTokens} tokens, {meter.Total.Cost:0.0000} USD; writer: {meter.ForNode("writer").Cost}");
/// </code></example>
public sealed class TokenUsageMeter
{
    private readonly Lock _gate = new();
    private readonly List<TokenUsageRecord> _records = [];

    /// <summary>Creates a meter.</summary>
    /// <param name="prices">The prices; costs are not counted when null.</param>
    public TokenUsageMeter(ModelPriceTable? prices = null) => Prices = prices ?? new ModelPriceTable();

    /// <summary>The prices.</summary>
    public ModelPriceTable Prices { get; }

    /// <summary>Every call counted, in order.</summary>
    public IReadOnlyList<TokenUsageRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>All calls.</summary>
    public TokenUsageSummary Total => TokenUsageSummary.Of(Records);

    /// <summary>The calls per node (calls made outside a known node are under the empty name).</summary>
    public IReadOnlyDictionary<string, TokenUsageSummary> ByNode =>
        Records.GroupBy(r => r.Node ?? "").ToDictionary(g => g.Key, TokenUsageSummary.Of, StringComparer.Ordinal);

    /// <summary>The calls per model.</summary>
    public IReadOnlyDictionary<string, TokenUsageSummary> ByModel =>
        Records.GroupBy(r => r.Model ?? "").ToDictionary(g => g.Key, TokenUsageSummary.Of, StringComparer.Ordinal);

    /// <summary>The calls made by one node.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The sum (empty when it made none).</returns>
    public TokenUsageSummary ForNode(string node) => TokenUsageSummary.Of(Records.Where(r => r.Node == node));

    /// <summary>The calls made by one run: the nodes of the thread <paramref name="threadId"/>.</summary>
    /// <param name="threadId">The run's <see cref="RunConfig.ThreadId"/>.</param>
    /// <returns>The sum (empty when it made none).</returns>
    public TokenUsageSummary ForThread(string threadId) => TokenUsageSummary.Of(Records.Where(r => r.ThreadId == threadId));

    /// <summary>Counts one call. Called by <see cref="TokenUsageChatClient"/>; call it yourself for a client it does not wrap.</summary>
    /// <param name="model">The model.</param>
    /// <param name="usage">The call's usage; nothing is counted when null.</param>
    /// <param name="node">The node the call came from; <see cref="ChatNodeScope.Current"/> when null.</param>
    /// <returns>The record, or null when there was no usage.</returns>
    public TokenUsageRecord? Record(string? model, UsageDetails? usage, NodeContext? node = null)
    {
        if (usage is null)
        {
            return null;
        }

        node ??= ChatNodeScope.Current;
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        var cached = usage.CachedInputTokenCount ?? 0;
        var record = new TokenUsageRecord(node?.ThreadId, node?.Node, node?.Step, model, input, output, cached, Prices.Find(model)?.CostOf(input, output, cached));
        lock (_gate)
        {
            _records.Add(record);
        }

        return record;
    }

    /// <summary>Forgets every call.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }
}
