using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using DashFlow.Persistence;

namespace DashFlow;

/// <summary>The checkpointing side of a compiled graph: resuming, breakpoints, and reading and changing a thread's history.</summary>
public sealed partial class CompiledGraph<TState>
{
    private CheckpointCodec<TState>? _codec;

    /// <summary>Reads a thread's state at its latest checkpoint, or at <see cref="RunConfig.CheckpointId"/>.</summary>
    /// <param name="config">The thread (and optionally the checkpoint).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The values, what runs next, the tasks with their errors and interrupts, and the checkpoint's metadata.</returns>
    /// <exception cref="CheckpointNotFoundException">The thread or checkpoint does not exist.</exception>
    /// <exception cref="CheckpointReadException">The checkpoint cannot be read.</exception>
    public async ValueTask<StateSnapshot<TState>> GetStateAsync(RunConfig config, CancellationToken cancellationToken = default)
    {
        var (store, thread) = Require(config, "GetStateAsync");
        var tuple = await store.GetAsync(thread, config.CheckpointNamespace ?? "", config.CheckpointId, cancellationToken).ConfigureAwait(false)
            ?? throw new CheckpointNotFoundException(thread, config.CheckpointId, config.CheckpointNamespace);
        return Snapshot(tuple);
    }

    /// <summary>Lists a thread's checkpoints, newest first.</summary>
    /// <param name="config">The thread.</param>
    /// <param name="options">A <c>before</c> cursor, a limit and a metadata filter.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The thread's states, newest first.</returns>
    public async IAsyncEnumerable<StateSnapshot<TState>> GetStateHistoryAsync(
        RunConfig config, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (store, thread) = Require(config, "GetStateHistoryAsync");
        await foreach (var tuple in store.ListAsync(thread, config.CheckpointNamespace ?? "", options, cancellationToken).ConfigureAwait(false))
        {
            yield return Snapshot(tuple);
        }
    }

    /// <summary>
    /// Writes <paramref name="update"/> onto the thread's latest checkpoint (or <see cref="RunConfig.CheckpointId"/>, which
    /// forks a branch) as a new checkpoint, as if <paramref name="asNode"/> had returned it: the reducers apply, and that
    /// node's edges and routers decide what runs next. With <paramref name="asNode"/> null, what runs next stays as it was.
    /// The older checkpoints are not changed.
    /// </summary>
    /// <param name="config">The thread (and optionally the checkpoint to start from).</param>
    /// <param name="update">The update; null writes nothing.</param>
    /// <param name="asNode">The node the update counts as coming from, or null.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A run config pointing at the new checkpoint: pass it to a null-input invoke to continue from there.</returns>
    public async ValueTask<RunConfig> UpdateStateAsync(RunConfig config, StateUpdate<TState>? update, string? asNode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var persisted = Persist(config with { Durability = Durability.Sync, InterruptBefore = null, InterruptAfter = null }, resume: true);
        var thread = persisted.Thread;
        if (!_activeThreads.TryAdd(thread, 0))
        {
            throw new ThreadBusyException(thread);
        }

        try
        {
            var run = new PregelRun<TState>(_definition);
            run.Start(config, TState.CreateDefault(), null, StreamMode.None, persisted);
            var id = await run.UpdateStateAsync(update, asNode, cancellationToken).ConfigureAwait(false);
            return config with { CheckpointId = id };
        }
        finally
        {
            _activeThreads.TryRemove(thread, out _);
        }
    }

    private (ICheckpointer Store, string Thread) Require(RunConfig config, string what)
    {
        ArgumentNullException.ThrowIfNull(config);
        var store = config.Checkpointer ?? _options.Checkpointer
            ?? throw new CheckpointerRequiredException($"{what} on graph '{Name}' needs a checkpointer: set CompileOptions.Checkpointer or RunConfig.Checkpointer.");
        var thread = config.ThreadId
            ?? throw new ArgumentException($"{what} needs RunConfig.ThreadId: the thread to read.", nameof(config));
        return (store, thread);
    }

    private PregelRun<TState>.PersistedRun Persist(RunConfig config, bool resume)
    {
        var store = config.Checkpointer ?? _options.Checkpointer;
        if (store is null || config.ThreadId is null)
        {
            var what = resume ? "Resuming a thread (null input or Command.Resume)" : "A breakpoint (InterruptBefore/InterruptAfter)";
            throw store is null
                ? new CheckpointerRequiredException($"{what} on graph '{Name}' needs a checkpointer (CompileOptions.Checkpointer or RunConfig.Checkpointer) and a RunConfig.ThreadId.")
                : new ArgumentException($"Graph '{Name}' has a checkpointer, so a run needs RunConfig.ThreadId: the thread its checkpoints belong to.", nameof(config));
        }

        if (!string.IsNullOrEmpty(config.CheckpointNamespace))
        {
            throw new ArgumentException(
                $"RunConfig.CheckpointNamespace '{config.CheckpointNamespace}' is for reading a subgraph's checkpoints (GetStateAsync, GetStateHistoryAsync); " +
                $"graph '{Name}' cannot run in it: a subgraph's runs are started, resumed and updated through its parent.",
                nameof(config));
        }

        CheckInterruptNodes(config.InterruptBefore, nameof(RunConfig.InterruptBefore));
        CheckInterruptNodes(config.InterruptAfter, nameof(RunConfig.InterruptAfter));
        return new PregelRun<TState>.PersistedRun
        {
            Sink = new CheckpointSink(store, config.Durability),
            Codec = Codec,
            Thread = config.ThreadId,
            Durability = config.Durability,
            Before = NodeSet(_options.InterruptBefore, config.InterruptBefore),
            After = NodeSet(_options.InterruptAfter, config.InterruptAfter),
            Resume = resume,
            RequestedCheckpoint = config.CheckpointId,
            UserMetadata = config.Metadata,
        };
    }

    private CheckpointCodec<TState> Codec => _codec ??= new CheckpointCodec<TState>(_options.Serializer ?? DefaultSerializer(), _options.Serializer is null, _options.CompressCheckpoints, _options.Migrations);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Interim default until the generated MessagePack formatters land; documented as not trim-safe.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Interim default until the generated MessagePack formatters land; documented as not AOT-safe.")]
    private static ICheckpointSerializer DefaultSerializer() => MessagePackContractlessSerializer.Instance;

    private void CheckInterruptNodes(IReadOnlyList<string>? nodes, string option)
    {
        foreach (var node in nodes ?? [])
        {
            if (node != "*" && !_definition.Index.ContainsKey(node))
            {
                throw new ArgumentException($"{option} names node '{node}', which graph '{Name}' does not have; use one of [{string.Join(", ", Nodes)}] or \"*\".", option);
            }
        }
    }

    private bool[]? NodeSet(IReadOnlyList<string>? compiled, IReadOnlyList<string>? perRun)
    {
        if (compiled is null && perRun is null)
        {
            return null;
        }

        var set = new bool[_definition.Nodes.Length];
        foreach (var node in (compiled ?? []).Concat(perRun ?? []))
        {
            if (node == "*")
            {
                Array.Fill(set, true);
            }
            else
            {
                set[_definition.Index[node]] = true;
            }
        }

        return set;
    }

    private StateSnapshot<TState> Snapshot(CheckpointTuple tuple)
    {
        var codec = Codec;
        var checkpoint = tuple.Checkpoint;
        var values = codec.DecodeState(tuple, out _, out _);

        // The next superstep's tasks, numbered as the engine numbers them: pull tasks in declaration order (deferred
        // ones held while anything else runs), then Sends in order.
        var triggered = new HashSet<string>(checkpoint.Next, StringComparer.Ordinal);
        var hold = checkpoint.Sends.Count > 0 || _definition.Nodes.Any(n => triggered.Contains(n.Name) && !n.Options.Defer);
        var nodes = _definition.Nodes.Where(n => triggered.Contains(n.Name) && !(hold && n.Options.Defer)).Select(n => n.Name)
            .Concat(checkpoint.Sends.Select(s => s.Node)).ToList();
        var writes = tuple.PendingWrites.GroupBy(w => w.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var pending = PregelRun<TState>.PendingInterrupts(tuple.PendingWrites);
        var tasks = new List<PendingTask>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var id = PregelRun<TState>.TaskIdOf(checkpoint.Step + 1, nodes[i], i);
            writes.TryGetValue(id, out var own);
            var finished = own?.Exists(w => w.Kind == PendingWriteKind.Done) == true;
            var error = finished ? null : own?.Find(w => w.Kind == PendingWriteKind.Error)?.Text;
            var interrupts = pending.Where(x => x.Task == id)
                .Select(x => new InterruptInfo(x.Id, x.Node, x.Write.Data is null ? null : DecodeInterrupt(codec, checkpoint, x.Write.Data)))
                .ToList();
            tasks.Add(new PendingTask(id, nodes[i], finished, error, interrupts));
        }

        var config = new RunConfig { ThreadId = checkpoint.ThreadId, CheckpointId = checkpoint.Id, CheckpointNamespace = checkpoint.Namespace };
        return new StateSnapshot<TState>(values, nodes, tasks, config, checkpoint);
    }

    private static object? DecodeInterrupt(CheckpointCodec<TState> codec, Checkpoint checkpoint, byte[] data)
    {
        try
        {
            return codec.DecodeAny(data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"an interrupt value does not read back: {e.Message}", e);
        }
    }
}
