namespace DashFlow;

/// <summary>
/// Returned by a node: writes <see cref="Update"/> (then each of <see cref="Updates"/>, in order) as that node's update,
/// and triggers <see cref="Goto"/> in addition to the node's static edges. Given as run input: applies the update as if
/// from the input step and schedules <see cref="Goto"/>.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <example><code>
/// return new Command&lt;MyState&gt; { Update = new MyState.Update { Count = 1 }, Goto = [nameof(Review), new Send("Worker", item)] };
/// </code></example>
public sealed class Command<TState>
    where TState : class, IGraphState<TState>
{
    /// <summary>The update written as the node's update.</summary>
    public StateUpdate<TState>? Update { get; init; }

    /// <summary>Further updates, folded after <see cref="Update"/> in order (a reducer field sees each of them).</summary>
    public IReadOnlyList<StateUpdate<TState>> Updates { get; init; } = [];

    /// <summary>Nodes (or <see cref="Graph.End"/>) to trigger and Sends to schedule for the next superstep.</summary>
    public IReadOnlyList<Destination> Goto { get; init; } = [];

    private readonly object? _resume;

    /// <summary>
    /// The answer to the thread's one pending <see cref="NodeContext.Interrupt{TAnswer}"/>: given as run input, resumes the
    /// thread and the interrupted node's Interrupt call returns it. Setting it (even to null) makes this a resume command,
    /// which must not also set <see cref="Update"/>, <see cref="Updates"/> or <see cref="Goto"/>
    /// (<see cref="InvalidResumeException"/>).
    /// </summary>
    public object? Resume
    {
        get => _resume;
        init
        {
            _resume = value;
            HasResume = true;
        }
    }

    /// <summary>Answers to several pending interrupts, by interrupt id (<see cref="InterruptInfo.Id"/>).</summary>
    public IReadOnlyDictionary<string, object?>? ResumeById { get; init; }

    /// <summary>Whether this command resumes an interrupted thread.</summary>
    public bool HasResume { get; private init; }

    internal bool IsResume => HasResume || ResumeById is not null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Command(update: {Update?.ToString() ?? "none"}{(Updates.Count > 0 ? $" +{Updates.Count}" : "")}, goto: [{string.Join(", ", Goto)}])";
}
