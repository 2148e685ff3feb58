using DashFlow.AI;
using DashFlow.AI.ScriptedServer;

namespace DashFlow.AI.Tests.Streaming;

public sealed class TokenStreamingTests
{
    private static IChatClient Streaming(ScriptedOpenAIServer server) =>
        new ChatClientBuilder(server.CreateChatClient()).UseDashFlowStreaming().Build();

    private static CompiledGraph<MessagesState> OneNodeGraph(IChatClient llm) =>
        new StateGraph<MessagesState>()
            .AddNode("writer", async (state, context) =>
            {
                var answer = await llm.GetResponseAsync(state.Messages, cancellationToken: context.CancellationToken);
                return new MessagesState.Update { Messages = [.. answer.Messages] };
            })
            .AddEdge(Graph.Start, "writer")
            .AddEdge("writer", Graph.End)
            .Compile();

    [Fact]
    public async Task Tokens_arrive_as_message_events_of_the_node_and_step_and_the_node_keeps_the_whole_answer()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        const string Answer = "The quick brown fox jumps over the lazy dog.";
        server.Enqueue(ScriptedReply.Text(Answer));
        var app = OneNodeGraph(Streaming(server));

        var messages = new List<MessageEvent>();
        MessagesState? final = null;
        await foreach (var e in app.StreamAsync(new MessagesState { Messages = [new(ChatRole.User, "Say the pangram.")] }, StreamMode.Messages | StreamMode.Values))
        {
            switch (e)
            {
                case MessageEvent m:
                    messages.Add(m);
                    break;
                case ValuesEvent<MessagesState> v:
                    final = v.State;
                    break;
            }
        }

        Assert.True(server.Requests[0].Stream);
        Assert.True(messages.Count > 2, $"expected several token chunks, got {messages.Count}");
        Assert.All(messages, m => Assert.Equal(("writer", 1), (m.Node, m.Step)));
        var updates = messages.Select(m => Assert.IsType<ChatResponseUpdate>(m.Chunk)).ToList();
        Assert.Equal(Answer, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(Answer, final!.Messages[^1].Text);
        Assert.Equal(ChatRole.Assistant, final.Messages[^1].Role);
    }

    [Fact]
    public async Task Without_the_messages_mode_the_call_is_not_streamed()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("plain"));
        var app = OneNodeGraph(Streaming(server));

        var final = await app.InvokeAsync(new MessagesState { Messages = [new(ChatRole.User, "hi")] });

        Assert.False(server.Requests[0].Stream);
        Assert.Equal("plain", final.Messages[^1].Text);
    }

    [Fact]
    public async Task An_agent_streams_each_model_call_with_its_superstep_and_tool_calls_still_work()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 4, "b": 5}""")), ScriptedReply.Text("Four and five make nine."));
        var tools = new TestTools();
        var agent = ReactAgent.Create(Streaming(server), [tools.Add]);

        var events = new List<MessageEvent>();
        await foreach (var e in agent.StreamAsync(new MessagesState { Messages = [new(ChatRole.User, "4 + 5?")] }, StreamMode.Messages))
        {
            events.Add(Assert.IsType<MessageEvent>(e));
        }

        Assert.Equal(1, tools.AddCalls);
        Assert.All(events, e => Assert.Equal("agent", e.Node));
        Assert.Equal([1, 3], events.Select(e => e.Step).Distinct());
        var secondCall = events.Where(e => e.Step == 3).Select(e => ((ChatResponseUpdate)e.Chunk).Text);
        Assert.Equal("Four and five make nine.", string.Concat(secondCall));
        Assert.Contains(events.Where(e => e.Step == 1), e => ((ChatResponseUpdate)e.Chunk).Contents.OfType<FunctionCallContent>().Any());
    }
}
