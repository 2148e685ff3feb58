using DashFlow.AI;
using static DashFlow.Reduce;

namespace DashFlow.AI.Tests.Messages;

[GraphState]
public sealed partial record ReviewState
{
    [Reducer(AddMessages)] public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    public string Verdict { get; init; } = "";
}

public sealed class UserStateTests
{
    [Fact]
    public async Task A_state_of_your_own_merges_parallel_message_writes_and_replaces_by_id()
    {
        var app = new StateGraph<ReviewState>()
            .AddNode("draft", s => new ReviewState.Update { Messages = [new ChatMessage(ChatRole.Assistant, "draft v1") { MessageId = "draft" }] })
            .AddNode("critic", s => new ReviewState.Update { Messages = [new ChatMessage(ChatRole.User, "too long")] })
            .AddNode("style", s => new ReviewState.Update { Messages = [new ChatMessage(ChatRole.User, "too formal")] })
            .AddNode("revise", s => new ReviewState.Update
            {
                Messages = [new ChatMessage(ChatRole.Assistant, "draft v2") { MessageId = "draft" }],
                Verdict = $"{s.Messages.Count} messages",
            })
            .AddEdge(Graph.Start, "draft")
            .AddEdge("draft", "critic")
            .AddEdge("draft", "style")
            .AddEdge(["critic", "style"], "revise")
            .AddEdge("revise", Graph.End)
            .Compile();

        var final = await app.InvokeAsync(new ReviewState());

        Assert.Equal(["draft v2", "too long", "too formal"], final.Messages.Select(m => m.Text));
        Assert.Equal("3 messages", final.Verdict);
    }
}
