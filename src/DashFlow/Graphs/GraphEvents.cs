namespace DashFlow;

/// <summary>An event of a streamed run. Events are ordered within a superstep by completion and strictly across supersteps.</summary>
/// <param name="Step">The superstep (0 is the input step).</param>
public abstract record GraphEvent(int Step)
{
    /// <summary>
    /// Where the event comes from: "" for the graph that was run, the subgraph task's namespace (<c>node:step.task</c>,
    /// nested with <c>|</c>) for a subgraph's event, reported with <see cref="StreamMode.Subgraphs"/>. The step is the
    /// subgraph's own.
    /// </summary>
    public string Namespace { get; init; } = "";
}

/// <summary>The whole state after a superstep (and after the input step).</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="Step">The superstep.</param>
/// <param name="State">The state.</param>
public sealed record ValuesEvent<TState>(int Step, TState State) : GraphEvent(Step);

/// <summary>
/// A node's update, reported as the node finishes; <see cref="Update"/> is null for a node that wrote nothing. A
/// <see cref="Command{TState}"/> with several updates is reported as one event per update, in write order.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="Step">The superstep.</param>
/// <param name="Node">The node.</param>
/// <param name="Update">The update, or null.</param>
public sealed record UpdateEvent<TState>(int Step, string Node, StateUpdate<TState>? Update) : GraphEvent(Step)
    where TState : class, IGraphState<TState>;

/// <summary>A value a node wrote through <see cref="NodeContext.EmitAsync"/>.</summary>
/// <param name="Step">The superstep.</param>
/// <param name="Node">The node.</param>
/// <param name="Value">The value.</param>
public sealed record CustomEvent(int Step, string Node, object? Value) : GraphEvent(Step);

/// <summary>
/// A piece of a model's answer, written by a chat call inside a node (<see cref="NodeContext.EmitMessageAsync"/>); reported
/// in <see cref="StreamMode.Messages"/>. The node still returns its whole message as its update.
/// </summary>
/// <param name="Step">The superstep.</param>
/// <param name="Node">The node.</param>
/// <param name="Task">The task's position in the superstep.</param>
/// <param name="Chunk">The chunk (DashFlow.AI writes <c>ChatResponseUpdate</c>s).</param>
public sealed record MessageEvent(int Step, string Node, int Task, object Chunk) : GraphEvent(Step);

/// <summary>A task started.</summary>
/// <param name="Step">The superstep.</param>
/// <param name="Node">The node.</param>
/// <param name="Task">The task's position in the superstep.</param>
/// <param name="Arg">The Send argument, for a task started by a Send.</param>
public sealed record TaskStartedEvent(int Step, string Node, int Task, object? Arg) : GraphEvent(Step);

/// <summary>A task finished; <see cref="Error"/> is set when it failed.</summary>
/// <param name="Step">The superstep.</param>
/// <param name="Node">The node.</param>
/// <param name="Task">The task's position in the superstep.</param>
/// <param name="Error">The failure, or null.</param>
public sealed record TaskFinishedEvent(int Step, string Node, int Task, Exception? Error) : GraphEvent(Step);

/// <summary>A node called <see cref="NodeContext.Interrupt{TAnswer}"/>, or the run stopped at a static breakpoint; reported in <see cref="StreamMode.Updates"/>.</summary>
/// <param name="Step">The superstep.</param>
/// <param name="Interrupt">The interrupt.</param>
public sealed record InterruptEvent(int Step, InterruptInfo Interrupt) : GraphEvent(Step);
