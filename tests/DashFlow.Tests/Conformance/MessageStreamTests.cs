using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §7, Messages mode: chunks a node's code emits reach the stream with their node and step.</summary>
public sealed class MessageStreamTests
{
    /// <summary>Stands in for a chat client's middleware: it finds the running task through the ambient context.</summary>
    private static async ValueTask<string> AnswerAsync(string text)
    {
        foreach (var token in text.Split(' '))
        {
            if (NodeContext.Current is { IsStreamingMessages: true } context)
            {
                await context.EmitMessageAsync(token);
            }

            await Task.Yield();
        }

        return text;
    }

    private static CompiledGraph<DemoState> Writers() =>
        new StateGraph<DemoState>()
            .AddNode("first", async (DemoState s, CancellationToken _) => new DemoState.Update { Log = [await AnswerAsync("hello there")] })
            .AddNode("second", async (DemoState s, CancellationToken _) => new DemoState.Update { Log = [await AnswerAsync("general kenobi")] })
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "second")
            .Compile();

    [Fact]
    public async Task Chunks_emitted_through_the_ambient_context_carry_their_node_and_step()
    {
        var events = await Writers().StreamAsync(new DemoState(), StreamMode.Messages | StreamMode.Updates).CollectAsync();

        var chunks = events.OfType<MessageEvent>().Select(e => $"{e.Step}:{e.Node}:{e.Chunk}").ToArray();
        Assert.Equal(["1:first:hello", "1:first:there", "2:second:general", "2:second:kenobi"], chunks);

        // The node still returns its whole message as its update, after its chunks.
        var order = events.Select(e => e switch { MessageEvent m => (string)m.Chunk, UpdateEvent<DemoState> u => "update:" + u.Node, _ => "" }).ToArray();
        Assert.Equal(["hello", "there", "update:first", "general", "kenobi", "update:second"], order);
    }

    [Fact]
    public async Task Without_the_Messages_mode_there_is_no_ambient_context_and_no_chunk()
    {
        NodeContext? seen = null;
        var app = new StateGraph<DemoState>()
            .AddNode("peek", s =>
            {
                seen = NodeContext.Current;
                return Logs("peek");
            })
            .AddEdge(Graph.Start, "peek")
            .Compile();

        var events = await app.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Custom).CollectAsync();
        var final = await app.InvokeAsync(new DemoState());

        Assert.Null(seen);
        Assert.Empty(events.OfType<MessageEvent>());
        Assert.Equal(["peek"], final.Log);
    }

    [Fact]
    public async Task The_ambient_context_does_not_leak_to_the_caller_or_to_sibling_tasks()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", s =>
            {
                seen.Add("a:" + NodeContext.Current?.Node);
                return Logs("a");
            })
            .AddNode("b", async (DemoState s, CancellationToken _) =>
            {
                await Task.Yield();
                seen.Add("b:" + NodeContext.Current?.Node);
                return Logs("b");
            })
            .AddEdge(Graph.Start, "a")
            .AddEdge(Graph.Start, "b")
            .Compile();

        await app.StreamAsync(new DemoState(), StreamMode.Messages).CollectAsync();

        Assert.Equal(["a:a", "b:b"], seen.ToArray().Order());
        Assert.Null(NodeContext.Current);
    }
}
