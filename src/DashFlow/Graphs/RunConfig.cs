using DashFlow.Persistence;

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

    /// <summary>
    /// The checkpoint to start from: resuming (null input or a resume <see cref="Command{TState}"/>) from an older
    /// checkpoint replays what follows it on a new branch. Null for the thread's latest.
    /// </summary>
    public string? CheckpointId { get; init; }

    /// <summary>
    /// For reading a subgraph's own checkpoints: its namespace in the parent's thread (<c>node:step.index</c> of the
    /// parent's task that ran it, nested as <c>outer:1.0|inner:1.0</c>; <c>node</c> alone for a subgraph compiled with
    /// <see cref="CompileOptions.KeepStateAcrossRuns"/>), passed to the subgraph's <c>GetStateAsync</c> or
    /// <c>GetStateHistoryAsync</c>. "" (the default) is the root graph. Runs refuse any other value: a subgraph's runs
    /// are started by its parent.
    /// </summary>
    /// <example><code>
    /// var inner = await child.GetStateAsync(config with { CheckpointNamespace = "research:1.0" });
    /// </code></example>
    public string CheckpointNamespace { get; init; } = "";

    /// <summary>When the run's checkpoints are stored (with a checkpointer and a <see cref="ThreadId"/>).</summary>
    public Durability Durability { get; init; } = Durability.Sync;

    /// <summary>The checkpointer for this run; overrides <see cref="CompileOptions.Checkpointer"/>.</summary>
    public ICheckpointer? Checkpointer { get; init; }

    /// <summary>Nodes to stop before (in addition to <see cref="CompileOptions.InterruptBefore"/>); <c>"*"</c> for every node.</summary>
    public IReadOnlyList<string>? InterruptBefore { get; init; }

    /// <summary>Nodes to stop after (in addition to <see cref="CompileOptions.InterruptAfter"/>); <c>"*"</c> for every node.</summary>
    public IReadOnlyList<string>? InterruptAfter { get; init; }

    internal static readonly RunConfig Default = new();
}

/// <summary>Settings fixed when a graph is compiled.</summary>
public sealed record CompileOptions
{
    /// <summary>The clock for retry waits and timeouts; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>A name for the graph in messages and diagrams.</summary>
    public string? Name { get; init; }

    /// <summary>Stores checkpoints of runs that have a <see cref="RunConfig.ThreadId"/>; null for none.</summary>
    public ICheckpointer? Checkpointer { get; init; }

    /// <summary>
    /// Turns state fields, Send arguments and interrupt values into bytes; null for the default
    /// (<see cref="MessagePackContractlessSerializer"/> for now).
    /// </summary>
    public ICheckpointSerializer? Serializer { get; init; }

    /// <summary>Whether stored values larger than 256 bytes are LZ4-compressed.</summary>
    public bool CompressCheckpoints { get; init; }

    /// <summary>Upgrades checkpoints written by older schema versions of the state, one version per migration.</summary>
    public IReadOnlyList<StateMigration>? Migrations { get; init; }

    /// <summary>Nodes to stop before, in every run; <c>"*"</c> for every node. Needs a checkpointer.</summary>
    public IReadOnlyList<string>? InterruptBefore { get; init; }

    /// <summary>Nodes to stop after, in every run; <c>"*"</c> for every node. Needs a checkpointer.</summary>
    public IReadOnlyList<string>? InterruptAfter { get; init; }

    /// <summary>
    /// For a graph used as a subgraph of a checkpointed graph: keep its state from one parent run on a thread to the next.
    /// Its checkpoints then live under the node's name rather than under each task, so its own fields (those it does not
    /// share with the parent) carry over, while the shared fields are refreshed from the parent at every run. Off by
    /// default: each run of the subgraph node starts the subgraph afresh.
    /// </summary>
    public bool KeepStateAcrossRuns { get; init; }
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

    /// <summary>
    /// Also report the events of subgraphs, in the modes asked for, with <see cref="GraphEvent.Namespace"/> naming the
    /// subgraph task they come from (<c>node:step.task</c>, nested with <c>|</c>). Without it a subgraph node is reported
    /// like any other node.
    /// </summary>
    Subgraphs = 32,

    /// <summary>Every mode, subgraphs included.</summary>
    All = Values | Updates | Messages | Custom | Tasks | Subgraphs,
}
