using DashFlow.AI;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace DashFlow.AI.Tests.Resilience;

public sealed class UsageAndCachingTests
{
    private static readonly ModelPriceTable Prices = new ModelPriceTable()
        .Add("gpt-test", new ModelPrice(InputPerMillionTokens: 2m, OutputPerMillionTokens: 8m));

    [Fact]
    public async Task Usage_is_counted_per_node_and_per_run_and_priced()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(
            ScriptedReply.ToolCalls(("add", """{"a": 1, "b": 2}""")), ScriptedReply.Text("3", promptTokens: 100, completionTokens: 20),
            ScriptedReply.Text("other run", promptTokens: 1000, completionTokens: 1));
        var meter = new TokenUsageMeter(Prices);
        var llm = new ChatClientBuilder(server.CreateChatClient()).UseTokenUsage(meter).Build();
        var agent = ReactAgent.Create(llm, [new TestTools().Add], new() { CompileOptions = new() { Checkpointer = new Persistence.InMemoryCheckpointer() } });

        await agent.InvokeAsync(new MessagesState { Messages = [new(ChatRole.User, "1 + 2?")] }, new RunConfig { ThreadId = "run-a" });
        await agent.InvokeAsync(new MessagesState { Messages = [new(ChatRole.User, "again")] }, new RunConfig { ThreadId = "run-b" });

        var records = meter.Records;
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(("agent", "gpt-test"), (r.Node, r.Model)));
        Assert.Equal([1, 3, 1], records.Select(r => r.Step));

        var runA = meter.ForThread("run-a");
        Assert.Equal(2, runA.Calls);
        Assert.Equal(records[0].InputTokens + 100, runA.InputTokens);
        Assert.Equal(records[0].OutputTokens + 20, runA.OutputTokens);
        Assert.Equal((runA.InputTokens * 2m + runA.OutputTokens * 8m) / 1_000_000m, runA.Cost);

        var runB = meter.ForThread("run-b");
        Assert.Equal((1, 1000, 1), (runB.Calls, runB.InputTokens, runB.OutputTokens));
        Assert.Equal((1000 * 2m + 8m) / 1_000_000m, runB.Cost);
        Assert.Equal(3, meter.ForNode("agent").Calls);
        Assert.Equal(runA.Cost + runB.Cost, meter.Total.Cost);
        Assert.Equal(0, meter.Total.UnpricedCalls);
    }

    [Fact]
    public async Task Streamed_calls_are_counted_from_their_usage_update()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("streamed words here", promptTokens: 12, completionTokens: 3));
        var meter = new TokenUsageMeter();
        var llm = new ChatClientBuilder(server.CreateChatClient("gpt-unpriced")).UseTokenUsage(meter).Build();

        await foreach (var _ in llm.GetStreamingResponseAsync("hi"))
        {
        }

        var record = Assert.Single(meter.Records);
        Assert.Equal((12L, 3L, (string?)null, (decimal?)null), (record.InputTokens, record.OutputTokens, record.Node, record.Cost));
        Assert.Equal(1, meter.Total.UnpricedCalls);
    }

    [Fact]
    public async Task A_cached_answer_is_served_without_a_request_and_costs_nothing()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("cached answer"));
        var meter = new TokenUsageMeter(Prices);
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var llm = new ChatClientBuilder(server.CreateChatClient())
            .UseDistributedCache(cache)
            .UseTokenUsage(meter)
            .Build();

        var first = await llm.GetResponseAsync("What is cached?");
        var second = await llm.GetResponseAsync("What is cached?");

        Assert.Equal(("cached answer", "cached answer"), (first.Text, second.Text));
        Assert.Single(server.Requests);
        Assert.Equal(1, meter.Total.Calls);
    }

    [Fact]
    public void Prices_come_from_configuration_and_match_model_versions_by_prefix()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Prices:gpt-4o-mini:Input"] = "0.15", ["Prices:gpt-4o-mini:Output"] = "0.60", ["Prices:gpt-4o:Input"] = "2.5", ["Prices:gpt-4o:Output"] = "10" })
            .Build().GetSection("Prices");

        var table = ModelPriceTable.FromConfiguration(section);

        Assert.Equal(0.15m, table.Find("gpt-4o-mini-2024-07-18")!.InputPerMillionTokens);
        Assert.Equal(2.5m, table.Find("gpt-4o-2024-08-06")!.InputPerMillionTokens);
        Assert.Null(table.Find("claude"));
        Assert.Equal(0.75m, table.Find("gpt-4o-mini")!.CostOf(1_000_000, 1_000_000));
    }

    [Fact]
    public void A_price_that_is_not_a_number_names_the_setting()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Prices:gpt-x:Input"] = "cheap", ["Prices:gpt-x:Output"] = "1" })
            .Build().GetSection("Prices");

        var e = Assert.Throws<ModelConfigurationException>(() => ModelPriceTable.FromConfiguration(section));
        Assert.Equal("Prices:gpt-x:Input", e.Setting);
        Assert.Contains("'cheap'", e.Message);
    }
}
