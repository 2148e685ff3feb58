namespace DashFlow;

/// <summary>Per-run settings. A compiled graph holds none of these, so one compiled graph serves any number of runs.</summary>
public sealed record RunConfig
{
    /// <summary>The default recursion limit.</summary>
    public const int DefaultRecursionLimit = 25;

    /// <summary>The conversation or job this run belongs to. Two runs on one thread at once are refused.</summary>
    public string? ThreadId { get; init; }

    /// <summary>The most supersteps the run may execute (at least 1). A run needing more fails with <see cref="GraphRecursionException"/>.</summary>
    public int RecursionLimit { get; init; } = DefaultRecursionLimit;

    /// <summary>A time limit for the whole run; null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How many stream events may wait for a slow consumer before the run waits too.</summary>
    public int StreamBufferSize { get; init; } = 256;

    /// <summary>Values that nodes can read for their own use (<see cref="NodeContext"/> does not interpret them).</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    internal static readonly RunConfig Default = new();
}

/// <summary>Settings fixed when a graph is compiled.</summary>
public sealed record CompileOptions
{
    /// <summary>The clock for retry waits and timeouts; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>A name for the graph in messages and diagrams.</summary>
    public string? Name { get; init; }
}

/// <summary>What a stream reports. Modes combine: <c>StreamMode.Updates | StreamMode.Custom</c>.</summary>
[Flags]
public enum StreamMode
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The whole state after each superstep: <see cref="ValuesEvent{TState}"/>.</summary>
    Values = 1,

    /// <summary>Each node's update as the node finishes: <see cref="UpdateEvent{TState}"/>.</summary>
    Updates = 2,

    /// <summary>LLM tokens from chat calls inside nodes (DashFlow.AI).</summary>
    Messages = 4,

    /// <summary>Values nodes write through <see cref="NodeContext.EmitAsync"/>: <see cref="CustomEvent"/>.</summary>
    Custom = 8,

    /// <summary>Task starts and finishes: <see cref="TaskStartedEvent"/>, <see cref="TaskFinishedEvent"/>.</summary>
    Tasks = 16,

    /// <summary>Everything.</summary>
    All = Values | Updates | Messages | Custom | Tasks,
}
