using System.Collections.Immutable;
using Microsoft.Extensions.AI;
using static DashFlow.Reduce;

namespace DashFlow.AI;

/// <summary>
/// A state holding a chat history, ready for agents: <see cref="Messages"/> uses the AddMessages reducer
/// (<see cref="MessageReducers"/>), so nodes write only the messages they add or replace.
/// </summary>
/// <example><code>
/// var final = await agent.InvokeAsync(new MessagesState { Messages = [new(ChatRole.User, "What is 6 * 7?")] });
/// Console.WriteLine(final.Messages[^1].Text);
/// </code></example>
[GraphState]
public sealed partial record MessagesState
{
    /// <summary>The conversation, oldest first.</summary>
    [Reducer(AddMessages)]
    public ImmutableList<ChatMessage> Messages { get; init; } = [];
}
