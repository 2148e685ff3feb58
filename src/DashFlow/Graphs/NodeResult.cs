namespace DashFlow;

/// <summary>What a node returned: nothing, an update, or a <see cref="Command{TState}"/>.</summary>
/// <typeparam name="TState">The state type.</typeparam>
public readonly struct NodeResult<TState>
    where TState : class, IGraphState<TState>
{
    private NodeResult(StateUpdate<TState>? update, Command<TState>? command)
    {
        Update = update;
        Command = command;
    }

    /// <summary>The node's update, or null.</summary>
    public StateUpdate<TState>? Update { get; }

    /// <summary>The node's command, or null.</summary>
    public Command<TState>? Command { get; }

    /// <summary>A node that writes nothing.</summary>
    public static NodeResult<TState> None => default;

    /// <summary>A node's update.</summary>
    /// <param name="update">The update; null writes nothing.</param>
    public static implicit operator NodeResult<TState>(StateUpdate<TState>? update) => new(update, null);

    /// <summary>A node's command.</summary>
    /// <param name="command">The command; null writes nothing.</param>
    public static implicit operator NodeResult<TState>(Command<TState>? command) => new(command?.Update, command);

    /// <summary>A node's update.</summary>
    /// <param name="update">The update; null writes nothing.</param>
    /// <returns>The result.</returns>
    public static NodeResult<TState> FromUpdate(StateUpdate<TState>? update) => new(update, null);

    /// <summary>A node's command.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The result.</returns>
    public static NodeResult<TState> FromCommand(Command<TState>? command) => command;
}

/// <summary>The general form of a node: reads the state (or its Send argument through <see cref="NodeContext.Arg"/>).</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="state">The superstep's snapshot of the state.</param>
/// <param name="context">The task's context: node name, superstep, cancellation, Send argument, custom stream.</param>
/// <returns>The node's result.</returns>
public delegate ValueTask<NodeResult<TState>> NodeHandler<TState>(TState state, NodeContext context)
    where TState : class, IGraphState<TState>;
