using System.Runtime.CompilerServices;

namespace DashFlow;

/// <summary>
/// What a running task knows about itself. A node receives it by declaring a <see cref="NodeContext"/> parameter.
/// </summary>
public readonly struct NodeContext
{
    private static readonly AsyncLocal<StrongBox<NodeContext>?> s_current = new();

    private readonly IRunEvents? _events;

    internal NodeContext(IRunEvents? events, string node, int step, int task, object? arg, string? threadId, CancellationToken cancellationToken)
    {
        _events = events;
        Node = node;
        Step = step;
        Task = task;
        Arg = arg;
        ThreadId = threadId;
        CancellationToken = cancellationToken;
    }

    /// <summary>The node's name.</summary>
    public string Node { get; }

    /// <summary>The superstep the task runs in (1 is the first superstep after the input).</summary>
    public int Step { get; }

    /// <summary>The task's position in its superstep (pull tasks in declaration order, then Sends in order).</summary>
    public int Task { get; }

    /// <summary>The <see cref="Send.Arg"/> of a task started by a <see cref="Send"/>; null for a task triggered by an edge.</summary>
    public object? Arg { get; }

    /// <summary>The run's thread id (<see cref="RunConfig.ThreadId"/>), if any.</summary>
    public string? ThreadId { get; }

    /// <summary>Cancelled when the run is cancelled, a sibling task fails, or the node's timeout passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Writes a value to the run's <see cref="StreamMode.Custom"/> stream (progress, partial results). Does nothing
    /// when the run is not streamed in that mode. Waits when the consumer is behind (backpressure).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>A task that completes when the value is queued.</returns>
    public ValueTask EmitAsync(object? value) =>
        _events is null ? default : _events.CustomAsync(Node, Step, Task, value, CancellationToken);

    /// <summary>
    /// Stops the run for a human (or another system) and surfaces <paramref name="value"/> to the caller. When the thread
    /// is resumed with an answer (<see cref="Command{TState}.Resume"/>), this node runs again from its start and this call
    /// returns the answer; each earlier Interrupt call of the node returns its own stored answer, in order. Needs a
    /// checkpointer and a thread id. Do not catch the exception this throws to suspend the run.
    /// </summary>
    /// <typeparam name="TAnswer">The answer's type.</typeparam>
    /// <param name="value">What the caller sees (a question, a draft to approve).</param>
    /// <returns>The answer, once resumed.</returns>
    /// <exception cref="CheckpointerRequiredException">The run has no checkpointer or no thread id.</exception>
    public TAnswer Interrupt<TAnswer>(object? value) =>
        _events is null
            ? throw new CheckpointerRequiredException($"Node '{Node}' called Interrupt, which needs a checkpointer (CompileOptions.Checkpointer or RunConfig.Checkpointer) and a RunConfig.ThreadId to store the run until it is resumed.")
            : _events.Interrupt<TAnswer>(Node, Task, value);

    /// <summary>Whether a stream in <see cref="StreamMode.Custom"/> is listening.</summary>
    public bool IsStreaming => _events is not null && _events.WantsCustom;

    /// <summary>Whether a stream in <see cref="StreamMode.Messages"/> is listening.</summary>
    public bool IsStreamingMessages => _events is not null && _events.WantsMessages;

    /// <summary>
    /// The task running on this asynchronous flow, while the run is streamed in <see cref="StreamMode.Messages"/>; null
    /// otherwise. Lets code a node calls (a chat client's middleware) report tokens without being handed the context.
    /// </summary>
    public static NodeContext? Current => s_current.Value?.Value;

    /// <summary>
    /// Writes a piece of a model's answer (a token, a chunk) to the run's <see cref="StreamMode.Messages"/> stream as a
    /// <see cref="MessageEvent"/>. Does nothing when the run is not streamed in that mode. Waits when the consumer is behind.
    /// </summary>
    /// <param name="chunk">The chunk (DashFlow.AI writes <c>ChatResponseUpdate</c>s).</param>
    /// <returns>A task that completes when the chunk is queued.</returns>
    public ValueTask EmitMessageAsync(object chunk) =>
        _events is null ? default : _events.MessageAsync(Node, Step, Task, chunk, CancellationToken);

    /// <summary>What a subgraph node needs to run its subgraph under this run's thread; null when the run has no checkpointer.</summary>
    internal SubgraphLink? Subgraph => _events?.Link(Task);

    /// <summary>The parent's stream for a subgraph's events; null unless the run streams <see cref="StreamMode.Subgraphs"/>.</summary>
    internal ChildStream? SubgraphStream(string? checkpointNamespace) => _events?.ChildStream(Task, checkpointNamespace);

    /// <summary>Runs <paramref name="body"/> with <see cref="Current"/> set to <paramref name="context"/> for its flow.</summary>
    internal static async ValueTask<T> RunAsCurrentAsync<T, TArg>(NodeContext context, TArg arg, Func<TArg, NodeContext, ValueTask<T>> body)
    {
        // An async method restores its caller's execution context when it returns, so the value never leaks to siblings.
        s_current.Value = new StrongBox<NodeContext>(context);
        return await body(arg, context).ConfigureAwait(false);
    }
}

/// <summary>The run's event sink, seen by tasks.</summary>
internal interface IRunEvents
{
    bool WantsCustom { get; }

    bool WantsMessages { get; }

    ValueTask CustomAsync(string node, int step, int task, object? value, CancellationToken cancellationToken);

    TAnswer Interrupt<TAnswer>(string node, int task, object? value);

    ValueTask MessageAsync(string node, int step, int task, object chunk, CancellationToken cancellationToken);

    SubgraphLink? Link(int task);

    ChildStream? ChildStream(int task, string? checkpointNamespace);
}

/// <summary>Where a subgraph's events go when the parent streams with <see cref="StreamMode.Subgraphs"/>.</summary>
/// <param name="Events">The parent's stream.</param>
/// <param name="Modes">The modes asked for.</param>
/// <param name="Namespace">The namespace the subgraph's events carry.</param>
internal sealed record ChildStream(System.Threading.Channels.ChannelWriter<GraphEvent> Events, StreamMode Modes, string Namespace);
