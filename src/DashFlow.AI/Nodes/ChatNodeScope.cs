namespace DashFlow.AI;

/// <summary>
/// Tells the chat middleware of DashFlow.AI which node a chat call belongs to, so that its errors, token usage and
/// streamed tokens name the node and superstep. The engine sets <see cref="NodeContext.Current"/> only while a run
/// streams <see cref="StreamMode.Messages"/>; the nodes DashFlow.AI builds (agent, tools) always enter a scope, and a
/// node of yours can do the same with <see cref="Enter"/>.
/// </summary>
/// <example><code>
/// async ValueTask&lt;State.Update&gt; Summarize(State s, NodeContext context)
/// {
///     using var scope = ChatNodeScope.Enter(context);
///     var answer = await llm.GetResponseAsync(s.Messages, cancellationToken: context.CancellationToken);
///     return new() { Messages = [.. answer.Messages] };
/// }
/// </code></example>
public static class ChatNodeScope
{
    private static readonly AsyncLocal<Holder?> s_current = new();

    /// <summary>The node the current asynchronous flow runs in: the entered scope, else <see cref="NodeContext.Current"/>.</summary>
    public static NodeContext? Current => s_current.Value?.Context ?? NodeContext.Current;

    /// <summary>Marks the rest of this asynchronous flow (until disposed) as running in the node of <paramref name="context"/>.</summary>
    /// <param name="context">The node's context.</param>
    /// <returns>Restores the previous scope when disposed.</returns>
    public static IDisposable Enter(NodeContext context)
    {
        var previous = s_current.Value;
        s_current.Value = new Holder(context);
        return new Exit(previous);
    }

    private sealed record Holder(NodeContext Context);

    private sealed class Exit(Holder? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
