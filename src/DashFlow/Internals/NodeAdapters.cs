using System.ComponentModel;

namespace DashFlow.Internals;

/// <summary>Adapts node methods of every supported shape to <see cref="NodeHandler{TState}"/>. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NodeAdapters
{
    /// <summary>Wraps an asynchronous update without a state machine when it already completed.</summary>
    public static ValueTask<NodeResult<TState>> FromUpdate<TState, TUpdate>(ValueTask<TUpdate> running)
        where TState : class, IGraphState<TState>
        where TUpdate : StateUpdate<TState>?
    {
        return running.IsCompletedSuccessfully ? new(running.Result) : Await(running);

        static async ValueTask<NodeResult<TState>> Await(ValueTask<TUpdate> running) => await running.ConfigureAwait(false);
    }

    /// <summary>Wraps an asynchronous update.</summary>
    public static ValueTask<NodeResult<TState>> FromUpdate<TState, TUpdate>(Task<TUpdate> running)
        where TState : class, IGraphState<TState>
        where TUpdate : StateUpdate<TState>?
        => FromUpdate<TState, TUpdate>(new ValueTask<TUpdate>(running));

    /// <summary>Wraps an asynchronous update typed as the base class (the builder's form).</summary>
    public static ValueTask<NodeResult<TState>> FromUpdate<TState>(ValueTask<StateUpdate<TState>?> running)
        where TState : class, IGraphState<TState>
        => FromUpdate<TState, StateUpdate<TState>?>(running);

    /// <summary>Wraps an asynchronous command.</summary>
    public static ValueTask<NodeResult<TState>> FromCommand<TState>(ValueTask<Command<TState>> running)
        where TState : class, IGraphState<TState>
    {
        return running.IsCompletedSuccessfully ? new(running.Result) : Await(running);

        static async ValueTask<NodeResult<TState>> Await(ValueTask<Command<TState>> running) => await running.ConfigureAwait(false);
    }

    /// <summary>Wraps an asynchronous command.</summary>
    public static ValueTask<NodeResult<TState>> FromCommand<TState>(Task<Command<TState>> running)
        where TState : class, IGraphState<TState>
        => FromCommand(new ValueTask<Command<TState>>(running));

    /// <summary>Wraps an asynchronous node that writes nothing.</summary>
    public static ValueTask<NodeResult<TState>> FromVoid<TState>(ValueTask running)
        where TState : class, IGraphState<TState>
    {
        return running.IsCompletedSuccessfully ? default : Await(running);

        static async ValueTask<NodeResult<TState>> Await(ValueTask running)
        {
            await running.ConfigureAwait(false);
            return default;
        }
    }

    /// <summary>Wraps an asynchronous node that writes nothing.</summary>
    public static ValueTask<NodeResult<TState>> FromVoid<TState>(Task running)
        where TState : class, IGraphState<TState>
        => FromVoid<TState>(new ValueTask(running));

    /// <summary>The Send argument of a task, as the node's parameter type.</summary>
    public static TArg Arg<TArg>(NodeContext context) => context.Arg is TArg arg ? arg : (TArg)context.Arg!;
}
