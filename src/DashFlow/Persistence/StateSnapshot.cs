using DashFlow.Persistence;

namespace DashFlow;

/// <summary>A thread's state at one checkpoint: the values, what runs next, and the tasks' errors and interrupts.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="Values">The state.</param>
/// <param name="Next">The nodes that run next (pull tasks, then Send targets); empty when the run finished.</param>
/// <param name="Tasks">The tasks of the next superstep, with what is stored about them.</param>
/// <param name="Config">A run config that points at this checkpoint (thread and checkpoint id).</param>
/// <param name="Checkpoint">The stored checkpoint: id, parent, step, source, metadata, time.</param>
public sealed record StateSnapshot<TState>(TState Values, IReadOnlyList<string> Next, IReadOnlyList<PendingTask> Tasks, RunConfig Config, Checkpoint Checkpoint)
    where TState : class, IGraphState<TState>
{
    /// <summary>The interrupts waiting for an answer.</summary>
    public IReadOnlyList<InterruptInfo> Interrupts => [.. Tasks.SelectMany(t => t.Interrupts)];

    /// <summary>The checkpoint's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Checkpoint.Metadata;
}

/// <summary>A task of the superstep that follows a checkpoint.</summary>
/// <param name="Id">The task id (<c>step:node:index</c>).</param>
/// <param name="Node">The node.</param>
/// <param name="Finished">Whether it finished and its writes are stored (a resume does not run it again).</param>
/// <param name="Error">Its error, when it failed.</param>
/// <param name="Interrupts">Its interrupts that wait for an answer.</param>
public sealed record PendingTask(string Id, string Node, bool Finished, string? Error, IReadOnlyList<InterruptInfo> Interrupts);

/// <summary>An interrupt waiting for an answer.</summary>
/// <param name="Id">Its id, stable across resumes; answer several at once with <see cref="Command{TState}.ResumeById"/>.</param>
/// <param name="Node">The node that called Interrupt, or that a static breakpoint stopped at.</param>
/// <param name="Value">The value given to Interrupt.</param>
public sealed record InterruptInfo(string Id, string Node, object? Value);

/// <summary>What <see cref="CompiledGraph{TState}.InvokeForResultAsync(TState, RunConfig, CancellationToken)"/> returns.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="State">The state the run reached.</param>
/// <param name="Interrupts">The interrupts and breakpoints it stopped at; empty when it ran to the end.</param>
/// <param name="CheckpointId">The checkpoint it ended on; null without a checkpointer.</param>
public sealed record RunResult<TState>(TState State, IReadOnlyList<InterruptInfo> Interrupts, string? CheckpointId)
    where TState : class, IGraphState<TState>
{
    /// <summary>Whether the run stopped for an answer (or at a breakpoint) rather than ending.</summary>
    public bool IsInterrupted => Interrupts.Count > 0;
}
