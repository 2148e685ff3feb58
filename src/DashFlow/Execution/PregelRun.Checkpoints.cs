using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Globalization;
using DashFlow.Persistence;

namespace DashFlow;

/// <summary>The checkpointing side of a run: saving checkpoints and pending writes, restoring, interrupts.</summary>
internal sealed partial class PregelRun<TState>
{
    private PersistedRun? _p;

    /// <summary>What a checkpointed run needs; null for a run without a checkpointer, whose path stays untouched.</summary>
    internal sealed class PersistedRun
    {
        public required CheckpointSink Sink { get; init; }

        public required CheckpointCodec<TState> Codec { get; init; }

        /// <summary>
        /// The in-memory store, when the run's values reach it as they are: it is the run's store and the values go
        /// through the generated formatters, so a kept value reads back as its bytes would. Null otherwise.
        /// </summary>
        public InMemoryCheckpointer? KeepingStore => Codec.UsesGenerated ? Sink.Store as InMemoryCheckpointer : null;

        public required string Thread { get; init; }

        public string Namespace { get; init; } = "";

        public required Durability Durability { get; init; }

        public bool[]? Before { get; init; }

        public bool[]? After { get; init; }

        /// <summary>Resume (null input) rather than start.</summary>
        public bool Resume { get; init; }

        public string? RequestedCheckpoint { get; init; }

        public IReadOnlyDictionary<string, object?>? UserMetadata { get; init; }

        private string? _checkpointId;
        private CheckpointFrame? _checkpointFrame;
        private string? _lastStored;

        /// <summary>The checkpoint the run is at (its id is made on demand when it is a frame).</summary>
        public string? CheckpointId
        {
            get => _checkpointId ??= _checkpointFrame?.Id;
            set
            {
                _checkpointId = value;
                _checkpointFrame = null;
            }
        }

        /// <summary>
        /// The thread's latest stored checkpoint as this run knows it: the one it started from, then each it stored. The
        /// next checkpoint it stores names it as parent, and the store refuses it if another run stored one since.
        /// </summary>
        public string? LastStored
        {
            get => _lastStored ??= LastFrame?.Id;
            set
            {
                _lastStored = value;
                LastFrame = null;
            }
        }

        /// <summary>The last checkpoint the run stored, when it went to the in-memory store as a frame.</summary>
        public CheckpointFrame? LastFrame { get; private set; }

        /// <summary>The in-memory store's handle of the thread's log, kept between the run's frames.</summary>
        public object? FrameLog;

        /// <summary>Frames stored since the last that carries every field's owner (<see cref="CheckpointFrame.KeyInterval"/>).</summary>
        public int FramesSinceKey { get; set; }

        /// <summary>The run stored <paramref name="frame"/>: it is now both where the run is and its last stored checkpoint.</summary>
        public void StoredFrame(CheckpointFrame frame)
        {
            _checkpointId = null;
            _checkpointFrame = frame;
            _lastStored = null;
            LastFrame = frame;
        }

        /// <summary>The run started from a checkpoint that was not the thread's latest: the next one it stores starts a branch.</summary>
        public bool Branch { get; set; }

        /// <summary>
        /// Each field's version as of the last checkpoint: the id of the checkpoint that introduced it, or the
        /// <see cref="CheckpointFrame"/> that did (its id made only if needed); null before the field was stored.
        /// </summary>
        public object?[] Versions { get; set; } = new object?[TState.Schema.Fields.Length];

        public TState? Stored { get; set; }

        /// <summary>Scratch for the blobs of the fields a checkpoint stores anew, one slot per field, reused by each checkpoint.</summary>
        public FieldBlob?[]? Changed { get; set; }

        public Checkpoint? ExitDraft { get; set; }

        public TState? ExitState { get; set; }

        public List<PendingWrite>? ExitWrites { get; set; }

        public Dictionary<string, List<PendingWrite>>? Restored { get; set; }

        public bool SkipBefore { get; set; }

        public volatile bool Interrupted;

        /// <summary>Why the run stopped before the graph ended, if it did.</summary>
        public StopKind Stop { get; set; }

        /// <summary>The thread's lock for a subgraph's run: its parent holds it.</summary>
        public bool IsSubgraph { get; init; }
    }

    /// <summary>Why a checkpointed run stopped early.</summary>
    internal enum StopKind
    {
        None,
        Interrupt,
        Before,
        After,
    }

    /// <summary>The interrupts the run stopped at (dynamic ones, or the static breakpoint's tasks); empty when it ran to the end.</summary>
    public List<InterruptInfo> StoppedAt()
    {
        var stopped = new List<InterruptInfo>();
        if (_p is not { Stop: not StopKind.None } p)
        {
            return stopped;
        }

        for (var i = 0; i < _taskCount; i++)
        {
            var node = _graph.Nodes[_tasks[i].Node].Name;
            if (p.Stop == StopKind.Interrupt && _tasks[i].Interrupt is { } signal)
            {
                stopped.Add(new InterruptInfo(InterruptIdOf(TaskId(i), signal.Number), node, signal.Value));
            }
            else if (p.Stop == StopKind.Before && p.Before![_tasks[i].Node])
            {
                stopped.Add(new InterruptInfo(TaskId(i) + "#before", node, null));
            }
            else if (p.Stop == StopKind.After && p.After![_tasks[i].Node])
            {
                stopped.Add(new InterruptInfo(TaskId(i) + "#after", node, null));
            }
        }

        return stopped;
    }

    /// <summary>The checkpoint the run ended on, if it is checkpointed.</summary>
    public string? LastCheckpointId => _p?.CheckpointId;

    /// <summary>What a subgraph node's task needs to run its subgraph under this run's thread; null without a checkpointer.</summary>
    public SubgraphLink? Link(int task)
    {
        if (_p is not { } p)
        {
            return null;
        }

        ref var slot = ref _tasks[task];
        var raised = slot.Raised - 1;
        var answered = raised >= 0 && slot.Answers is { } answers && raised < answers.Length && answers[raised].Given;
        var segment = string.Create(CultureInfo.InvariantCulture, $"{_graph.Nodes[slot.Node].Name}:{_step}.{task}");
        return new SubgraphLink(
            p.Sink.Store, p.Thread, p.Namespace, segment, _graph.Nodes[slot.Node].Name, p.Durability, _recursionLimit, raised, answered ? slot.Answers![raised].Value : null, answered);
    }

    private string TaskId(int index) => TaskIdOf(_step, _graph.Nodes[_tasks[index].Node].Name, index);

    internal static string TaskIdOf(int step, string node, int index) => string.Create(CultureInfo.InvariantCulture, $"{step}:{node}:{index}");

    internal static string InterruptIdOf(string taskId, int number) => string.Create(CultureInfo.InvariantCulture, $"{taskId}#{number}");

    /// <summary>Called from <see cref="NodeContext.Interrupt{TAnswer}"/>.</summary>
    public TAnswer Interrupt<TAnswer>(string node, int task, object? value)
    {
        if (_p is null)
        {
            throw new CheckpointerRequiredException(
                $"Node '{node}' called Interrupt in {DashFlowException.Where(_step, _threadId)}, which needs a checkpointer (CompileOptions.Checkpointer " +
                "or RunConfig.Checkpointer) and a RunConfig.ThreadId to store the run until it is resumed.");
        }

        ref var slot = ref _tasks[task];
        var number = slot.InterruptCalls++;
        if (slot.Answers is { } answers && number < answers.Length && answers[number].Given)
        {
            var answer = answers[number].Value;
            return answer is TAnswer typed ? typed : (TAnswer)Convert.ChangeType(answer, typeof(TAnswer), CultureInfo.InvariantCulture)!;
        }

        throw new InterruptSignal(number, value);
    }

    /// <summary>Restores or prepares the thread. Returns whether the run resumes (and so skips the input step).</summary>
    private async ValueTask<bool> BeginPersistedAsync(Command<TState>? inputCommand)
    {
        var p = _p!;
        var resume = p.Resume || inputCommand is { IsResume: true };
        var tuple = await OpenThreadAsync(resume, _token).ConfigureAwait(false);
        if (resume)
        {
            // Pending writes belong to the superstep that followed the checkpoint on its own branch: only the thread's
            // latest checkpoint can use them.
            Restore(tuple!, full: true, useWrites: !p.Branch);
            if (inputCommand is { IsResume: true })
            {
                if (inputCommand.Update is not null || inputCommand.Updates.Count > 0 || inputCommand.Goto.Count > 0)
                {
                    // Applying them silently or dropping them would both surprise; say so instead.
                    throw new InvalidResumeException(
                        p.Thread, tuple!.Checkpoint.Id,
                        $"The resume Command for thread '{p.Thread}' (checkpoint '{tuple.Checkpoint.Id}') also sets Update, Updates or Goto. " +
                        "A resume only answers the pending interrupt: resume first, then change the state with UpdateStateAsync or start another run.");
                }

                await ApplyResumeAsync(tuple!, inputCommand).ConfigureAwait(false);
            }

            p.SkipBefore = true;
            return true;
        }

        if (tuple is not null)
        {
            if (inputCommand is not null)
            {
                // A Command input updates the thread's state through the reducers; the unfinished tasks are discarded.
                Restore(tuple, full: false, useWrites: false);
            }
            else
            {
                // A new state replaces the thread's, and its unfinished tasks are discarded.
                p.CheckpointId = tuple.Checkpoint.Id;
            }

            _step = _baseStep = tuple.Checkpoint.Step + 1;
        }

        return false;
    }

    /// <summary>
    /// Reads the checkpoint the run starts from (the requested one, or the thread's latest) and notes what the thread's
    /// latest is, so that the run's first checkpoint follows it, or, from an older checkpoint, starts a branch.
    /// </summary>
    private async ValueTask<CheckpointTuple?> OpenThreadAsync(bool mustExist, CancellationToken cancellationToken)
    {
        var p = _p!;
        var tuple = await p.Sink.Store.GetAsync(p.Thread, p.Namespace, p.RequestedCheckpoint, cancellationToken).ConfigureAwait(false);
        if (tuple is null && (mustExist || p.RequestedCheckpoint is not null))
        {
            throw new CheckpointNotFoundException(p.Thread, p.RequestedCheckpoint, p.Namespace);
        }

        p.LastStored = tuple?.Checkpoint.Id;
        if (p.RequestedCheckpoint is not null)
        {
            var latest = await p.Sink.Store.GetAsync(p.Thread, p.Namespace, null, cancellationToken).ConfigureAwait(false);
            p.Branch = latest?.Checkpoint.Id != p.RequestedCheckpoint;
        }

        return tuple;
    }

    private void Restore(CheckpointTuple tuple, bool full, bool useWrites)
    {
        var p = _p!;
        var checkpoint = tuple.Checkpoint;
        _state = p.Codec.DecodeState(tuple, out var versions, out var migrated);
        p.Versions = [.. versions];
        useWrites &= !migrated;
        p.Stored = _state;
        p.CheckpointId = checkpoint.Id;
        _step = _baseStep = checkpoint.Step;
        if (!full)
        {
            return;
        }

        try
        {
            foreach (var name in checkpoint.Next)
            {
                _triggered[NodeIndex(checkpoint, name)] = true;
            }

            foreach (var send in checkpoint.Sends)
            {
                NodeIndex(checkpoint, send.Node);
                (_nextSends ??= []).Add(new Send(send.Node, p.Codec.DecodeAny(send.Arg)));
            }

            foreach (var progress in checkpoint.JoinProgress)
            {
                var seen = false;
                foreach (var join in _graph.Joins)
                {
                    for (var s = 0; s < join.Sources.Length; s++)
                    {
                        if (progress == JoinKey(join, s))
                        {
                            _joinSeen[join.SlotOffset + s] = seen = true;
                        }
                    }
                }

                if (!seen)
                {
                    throw new CheckpointReadException(p.Thread, checkpoint.Id, $"its join progress '{progress}' matches no join of graph '{_graph.Name}'.");
                }
            }
        }
        catch (Exception e) when (e is not DashFlowException)
        {
            throw new CheckpointReadException(p.Thread, checkpoint.Id, e.Message, e);
        }

        if (useWrites && tuple.PendingWrites.Count > 0)
        {
            p.Restored = tuple.PendingWrites.GroupBy(w => w.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        }
    }

    private int NodeIndex(Checkpoint checkpoint, string name) =>
        _graph.Index.TryGetValue(name, out var index)
            ? index
            : throw new CheckpointReadException(_p!.Thread, checkpoint.Id, $"it schedules node '{name}', which graph '{_graph.Name}' does not have.");

    private string JoinKey(GraphDefinition<TState>.JoinDef join, int source) =>
        string.Create(CultureInfo.InvariantCulture, $"{join.Id}:{_graph.NameOf(join.Target)}<-{_graph.Nodes[join.Sources[source]].Name}");

    /// <summary>The interrupts of a checkpoint's pending writes that have no answer yet, in task order.</summary>
    internal static List<(string Task, int Number, string Id, string Node, PendingWrite Write)> PendingInterrupts(IReadOnlyList<PendingWrite> writes)
    {
        var pending = new List<(string, int, string, string, PendingWrite)>();
        foreach (var task in writes.GroupBy(w => w.TaskId, StringComparer.Ordinal))
        {
            if (task.Any(w => w.Kind == PendingWriteKind.Done))
            {
                continue;
            }

            foreach (var write in task.Where(w => w.Kind == PendingWriteKind.Interrupt).OrderBy(w => -w.Index))
            {
                var number = -100 - write.Index;
                if (!task.Any(w => w.Kind == PendingWriteKind.Resume && w.Index == -200 - number))
                {
                    var node = task.Key.Split(':')[1];
                    pending.Add((task.Key, number, write.Text ?? InterruptIdOf(task.Key, number), node, write));
                }
            }
        }

        return pending;
    }

    private async ValueTask ApplyResumeAsync(CheckpointTuple tuple, Command<TState> command)
    {
        var p = _p!;
        var checkpointId = tuple.Checkpoint.Id;
        var pending = PendingInterrupts(tuple.PendingWrites);
        var ids = string.Join(", ", pending.Select(x => x.Id));
        var writes = new List<PendingWrite>();
        if (command.ResumeById is { } byId)
        {
            foreach (var (id, answer) in byId)
            {
                var index = pending.FindIndex(x => x.Id == id);
                if (index < 0)
                {
                    throw new InvalidResumeException(p.Thread, checkpointId,
                        $"Thread '{p.Thread}' (checkpoint '{checkpointId}') has no pending interrupt '{id}'; pending: [{ids}].");
                }

                writes.Add(new PendingWrite(pending[index].Task, -200 - pending[index].Number, PendingWriteKind.Resume, id, p.Codec.EncodeAny(answer)));
            }
        }

        if (command.HasResume)
        {
            if (pending.Count == 0)
            {
                throw new InvalidResumeException(p.Thread, checkpointId,
                    $"Thread '{p.Thread}' (checkpoint '{checkpointId}') has no pending interrupt to answer. Resume it with null input to continue, or check the thread id.");
            }

            if (pending.Count > 1)
            {
                throw new InvalidResumeException(p.Thread, checkpointId,
                    $"Thread '{p.Thread}' (checkpoint '{checkpointId}') has {pending.Count} pending interrupts [{ids}] and one answer was given; " +
                    "answer each by id with Command.ResumeById.");
            }

            writes.Add(new PendingWrite(pending[0].Task, -200 - pending[0].Number, PendingWriteKind.Resume, pending[0].Id, p.Codec.EncodeAny(command.Resume)));
        }

        await p.Sink.Store.PutWritesAsync(p.Thread, p.Namespace, checkpointId, writes, _token).ConfigureAwait(false);
        p.Restored ??= new Dictionary<string, List<PendingWrite>>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            if (!p.Restored.TryGetValue(write.TaskId, out var list))
            {
                p.Restored[write.TaskId] = list = [];
            }

            list.Add(write);
        }
    }

    /// <summary>
    /// Before a superstep runs: applies the stored writes of tasks that already finished (they do not run again) and
    /// answers, and stops at a static breakpoint.
    /// </summary>
    /// <returns>Whether the superstep runs.</returns>
    private ValueTask<bool> BeforeSuperstepAsync()
    {
        // Most supersteps have nothing to restore and no breakpoint: no state machine for them.
        var p = _p!;
        return p.Restored is null && !p.SkipBefore && p.Before is null ? new(true) : RestoreOrStopAsync();
    }

    private async ValueTask<bool> RestoreOrStopAsync()
    {
        var p = _p!;
        if (p.Restored is { } restored)
        {
            p.Restored = null;
            for (var i = 0; i < _taskCount; i++)
            {
                if (restored.TryGetValue(TaskId(i), out var writes))
                {
                    try
                    {
                        RestoreTask(i, writes);
                    }
                    catch (Exception e) when (e is not DashFlowException)
                    {
                        throw new CheckpointReadException(p.Thread, p.CheckpointId!, $"the stored writes of task '{TaskId(i)}' do not read back: {e.Message}", e);
                    }
                }
            }
        }

        if (p.SkipBefore)
        {
            p.SkipBefore = false;
            return true;
        }

        if (p.Before is not { } before)
        {
            return true;
        }

        var stop = false;
        for (var i = 0; i < _taskCount; i++)
        {
            if (before[_tasks[i].Node])
            {
                stop = true;
                if ((_modes & StreamMode.Updates) != 0)
                {
                    var node = _graph.Nodes[_tasks[i].Node].Name;
                    await EmitAsync(new InterruptEvent(_step, new InterruptInfo(TaskId(i) + "#before", node, null))).ConfigureAwait(false);
                }
            }
        }

        return !stop;
    }

    private void RestoreTask(int index, List<PendingWrite> writes)
    {
        var codec = _p!.Codec;
        ref var slot = ref _tasks[index];
        if (writes.Any(w => w.Kind == PendingWriteKind.Done))
        {
            var updates = new List<StateUpdate<TState>>();
            var destinations = new List<Destination>();
            foreach (var write in writes.OrderBy(w => w.Index))
            {
                switch (write.Kind)
                {
                    case PendingWriteKind.Update:
                        updates.Add(codec.DecodeUpdate(write.Data!));
                        break;
                    case PendingWriteKind.Goto:
                        destinations.Add(write.Text!);
                        break;
                    case PendingWriteKind.Send:
                        destinations.Add(new Send(write.Text!, codec.DecodeAny(write.Data!)));
                        break;
                }
            }

            slot.Restored = true;
            slot.Attempts = 1;
            slot.Result = destinations.Count == 0 && updates.Count <= 1
                ? NodeResult<TState>.FromUpdate(updates.Count == 0 ? null : updates[0])
                : new Command<TState> { Update = updates.Count == 0 ? null : updates[0], Updates = updates.Count > 1 ? updates[1..] : [], Goto = destinations };
            return;
        }

        foreach (var write in writes)
        {
            if (write.Kind == PendingWriteKind.Interrupt)
            {
                slot.Raised = Math.Max(slot.Raised, -100 - write.Index + 1);
            }
        }

        var answers = writes.Where(w => w.Kind == PendingWriteKind.Resume).ToList();
        if (answers.Count > 0)
        {
            var count = answers.Max(w => -200 - w.Index) + 1;
            slot.Answers = new (bool, object?)[count];
            foreach (var answer in answers)
            {
                slot.Answers[-200 - answer.Index] = (true, codec.DecodeAny(answer.Data!));
            }
        }
    }

    /// <summary>
    /// Whether a finished task's writes are stored on their own. The only task of a superstep that succeeded is not: the
    /// checkpoint at the barrier follows at once and holds its writes, so storing them separately would cost a second
    /// round trip per superstep for nothing. Its siblings' failures and interrupts are what pending writes are for.
    /// </summary>
    private bool KeepsWrites(int index) =>
        _taskCount > 1 || _tasks[index].Error is not null || _tasks[index].Interrupt is not null || (_p!.After is { } after && after[_tasks[index].Node]);

    /// <summary>Stores what a finished task wrote (or its error or interrupt), against the checkpoint its superstep started from.</summary>
    private ValueTask SaveTaskAsync(int index)
    {
        var p = _p!;
        ref var slot = ref _tasks[index];
        var id = TaskId(index);
        List<PendingWrite> writes = [];
        if (slot.Interrupt is { } signal)
        {
            writes.Add(new PendingWrite(id, -100 - signal.Number, PendingWriteKind.Interrupt, InterruptIdOf(id, signal.Number), p.Codec.EncodeAny(signal.Value)));
        }
        else if (slot.Error is { } error)
        {
            writes.Add(new PendingWrite(id, -1, PendingWriteKind.Error, $"{error.GetType().Name}: {error.Message}", null));
        }
        else
        {
            var command = slot.Result.Command;
            if (command is not null)
            {
                if (command.Update is { } first)
                {
                    writes.Add(new PendingWrite(id, writes.Count, PendingWriteKind.Update, null, p.Codec.EncodeUpdate(first)));
                }

                foreach (var update in command.Updates)
                {
                    writes.Add(new PendingWrite(id, writes.Count, PendingWriteKind.Update, null, p.Codec.EncodeUpdate(update)));
                }

                foreach (var destination in command.Goto)
                {
                    writes.Add(destination.Send is { } send
                        ? new PendingWrite(id, writes.Count, PendingWriteKind.Send, send.Node, p.Codec.EncodeAny(send.Arg))
                        : new PendingWrite(id, writes.Count, PendingWriteKind.Goto, destination.Node, null));
                }
            }
            else if (slot.Result.Update is { } update)
            {
                writes.Add(new PendingWrite(id, writes.Count, PendingWriteKind.Update, null, p.Codec.EncodeUpdate(update)));
            }

            writes.Add(new PendingWrite(id, writes.Count, PendingWriteKind.Done, null, null));
        }

        if (p.Durability == Durability.Exit)
        {
            lock (p)
            {
                (p.ExitWrites ??= []).AddRange(writes);
            }

            return default;
        }

        return p.Sink.PutWritesAsync(p.Thread, p.Namespace, p.CheckpointId!, writes, _token);
    }

    /// <summary>Saves the checkpoint of the step that just ended (or, with <see cref="Durability.Exit"/>, keeps it for the end).</summary>
    private ValueTask SaveCheckpointAsync(CheckpointSource source)
    {
        var p = _p!;
        var now = _graph.TimeProvider.GetUtcNow();

        // Exact-size arrays and shared empties: a checkpoint per superstep must not cost more than it says.
        var count = 0;
        for (var i = 0; i < _triggered.Length; i++)
        {
            count += _triggered[i] ? 1 : 0;
        }

        IReadOnlyList<string> next = [];
        if (count == 1)
        {
            // One node next, the usual case: its list is made once per node and shared (it cannot be changed).
            var node = Array.IndexOf(_triggered, true);
            _singleNext ??= new IReadOnlyList<string>[_triggered.Length];
            next = _singleNext[node] ??= ImmutableArray.Create(_graph.Nodes[node].Name);
        }
        else if (count > 1)
        {
            var names = new string[count];
            for (int i = 0, n = 0; n < count; i++)
            {
                if (_triggered[i])
                {
                    names[n++] = _graph.Nodes[i].Name;
                }
            }

            next = names;
        }

        if (s_framesFit && p.Durability == Durability.Sync && p.KeepingStore is { } store && p.UserMetadata is null
            && !p.Branch && _nextSends is not { Count: > 0 } && Array.IndexOf(_joinSeen, true) < 0)
        {
            SaveFrame(store, source, next, now);
            return default;
        }

        var id = CheckpointIds.New(now);
        IReadOnlyList<PendingSend> sends = [];
        if (_nextSends is { Count: > 0 } scheduled)
        {
            var encoded = new PendingSend[scheduled.Count];
            for (var i = 0; i < encoded.Length; i++)
            {
                encoded[i] = new PendingSend(scheduled[i].Node, p.Codec.EncodeAny(scheduled[i].Arg));
            }

            sends = encoded;
        }

        IReadOnlyList<string> joins = [];
        if (_graph.Joins.Length > 0)
        {
            var seen = new List<string>();
            foreach (var join in _graph.Joins)
            {
                for (var s = 0; s < join.Sources.Length; s++)
                {
                    if (_joinSeen[join.SlotOffset + s])
                    {
                        seen.Add(JoinKey(join, s));
                    }
                }
            }

            joins = seen;
        }

        IReadOnlyDictionary<string, string> metadata = EngineMetadata.Of(source, _step);
        if (p.UserMetadata is { } user)
        {
            var all = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
            foreach (var (key, value) in user)
            {
                if (value is string or IFormattable)
                {
                    all.TryAdd(key, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                }
            }

            metadata = all;
        }

        // With Exit durability the checkpoint is a draft until the run ends: its fields are encoded only if it is stored.
        var exit = p.Durability == Durability.Exit;
        var (versions, blobs) = exit ? (null, null) : Fields(id, _state);
        var checkpoint = new Checkpoint
        {
            ThreadId = p.Thread,
            Namespace = p.Namespace,
            Id = id,
            ParentId = p.CheckpointId,
            Step = _step,
            Source = source,
            CreatedAt = now,
            SchemaVersion = TState.Schema.Version,
            FieldVersions = (IReadOnlyDictionary<string, string>?)versions ?? ReadOnlyDictionary<string, string>.Empty,
            Next = next,
            Sends = sends,
            JoinProgress = joins,
            Metadata = metadata,
        };
        p.CheckpointId = id;
        if (exit)
        {
            p.ExitDraft = checkpoint;
            p.ExitState = _state;
            p.ExitWrites = null;
            return default;
        }

        return p.Sink.PutAsync(Stored(checkpoint), blobs!, _token);
    }

    /// <summary>
    /// The checkpoint as it is stored: it follows the last one stored (with Exit durability, drafts in between are not),
    /// and the first of a branch says so (<see cref="CheckpointSource.Fork"/>), so the store does not take it for a run
    /// that lost a race for the thread.
    /// </summary>
    private Checkpoint Stored(Checkpoint checkpoint)
    {
        var p = _p!;
        if (checkpoint.ParentId != p.LastStored)
        {
            checkpoint = checkpoint with { ParentId = p.LastStored };
        }

        if (p.Branch)
        {
            p.Branch = false;
            var metadata = new Dictionary<string, string>(checkpoint.Metadata, StringComparer.Ordinal) { ["source"] = "fork" };
            checkpoint = checkpoint with { Source = CheckpointSource.Fork, Metadata = metadata };
        }

        p.LastStored = checkpoint.Id;
        return checkpoint;
    }

    /// <summary>
    /// Whether the state's objects can never change (every field <see cref="StateField.IsImmutable"/>) and its fields fit
    /// a frame's bit mask: the in-memory store can then keep each checkpoint as a <see cref="CheckpointFrame"/>.
    /// </summary>
    private static readonly bool s_framesFit = TState.Schema.Fields.Length <= 64 && TState.Schema.Fields.All(f => f.IsImmutable);

    /// <summary>A frame's bit mask with every field's bit set.</summary>
    private static readonly ulong s_everyField = TState.Schema.Fields.Length >= 64 ? ulong.MaxValue : (1UL << TState.Schema.Fields.Length) - 1;

    /// <summary>
    /// Stores the checkpoint as a frame: the state object itself (nothing can change it) and where the run stands. The
    /// store makes its <see cref="Checkpoint"/> and blobs only when someone reads it. The fields that changed since the
    /// last stored checkpoint get the frame as their new version, as <see cref="Fields"/> does for other stores.
    /// </summary>
    private void SaveFrame(InMemoryCheckpointer store, CheckpointSource source, IReadOnlyList<string> next, DateTimeOffset now)
    {
        var p = _p!;
        var fields = TState.Schema.Fields;
        var state = _state;
        var changed = 0UL;
        for (var i = 0; i < fields.Length; i++)
        {
            if (p.Versions[i] is null || p.Stored is null || !TState.SameField(p.Stored, state, i))
            {
                changed |= 1UL << i;
            }
        }

        // A walk for a field's version stops at a frame that changed it, or at one that lists every field's owner: the
        // first of the run's chain (unless it changes every field, where every walk stops anyway) and every so many after.
        var previous = p.LastFrame;
        object?[]? owners = null;
        if (changed == s_everyField)
        {
            p.FramesSinceKey = 0;
        }
        else if (previous is null || ++p.FramesSinceKey >= CheckpointFrame.KeyInterval)
        {
            owners = (object?[])p.Versions.Clone();
            p.FramesSinceKey = 0;
        }

        var (ticks, counter) = CheckpointIds.Next(now);
        var frame = new CheckpointFrame(
            ticks, counter, now.UtcTicks, p.Codec, state, changed, previous, previous is null ? p.LastStored : null, owners, _step, source, next);
        store.Append(p.Thread, p.Namespace, frame, ref p.FrameLog);
        for (var i = 0; i < fields.Length; i++)
        {
            if ((changed & (1UL << i)) != 0)
            {
                p.Versions[i] = frame;
            }
        }

        p.Stored = state;
        p.StoredFrame(frame);
    }

    /// <summary>The <see cref="Checkpoint.Next"/> list of each node alone, made on first use.</summary>
    private IReadOnlyList<string>?[]? _singleNext;

    private (Checkpoint, FieldBlob[]) WithFields(Checkpoint checkpoint, TState state)
    {
        var (versions, blobs) = Fields(checkpoint.Id, state);
        return (checkpoint with { FieldVersions = versions }, blobs);
    }

    /// <summary>The field versions; only fields that changed since the last stored checkpoint get a new blob.</summary>
    private (ArrayMap Versions, FieldBlob[] Blobs) Fields(string id, TState state)
    {
        var p = _p!;
        var schema = TState.Schema;
        var fields = schema.Fields;

        // An in-memory store keeps immutable values as they are: nothing is serialized unless someone reads the bytes.
        var keep = p.KeepingStore is not null;
        var versions = new string[fields.Length];
        var changed = p.Changed ??= new FieldBlob?[fields.Length];
        var count = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            if (p.Versions[i] is null || p.Stored is null || !TState.SameField(p.Stored, state, i))
            {
                var value = TState.GetField(state, i);
                p.Versions[i] = id;
                changed[count++] = keep && fields[i].IsImmutable
                    ? new FieldBlob(fields[i].Name, id, p.Codec, i, value)
                    : new FieldBlob(fields[i].Name, id, p.Codec.EncodeField(i, value));
            }

            versions[i] = CheckpointFrame.VersionOf(p.Versions[i]!);
        }

        var blobs = count == 0 ? [] : new FieldBlob[count];
        for (var i = 0; i < count; i++)
        {
            blobs[i] = changed[i]!;
            changed[i] = null;
        }

        p.Stored = state;
        return (new ArrayMap(schema.FieldNames, versions), blobs);
    }

    /// <summary>At the end of a run (finished, failed, cancelled or interrupted): stores what is still queued or kept.</summary>
    private async ValueTask FinishPersistedAsync()
    {
        var p = _p!;
        if (p.Durability == Durability.Exit)
        {
            if (p.ExitDraft is { } draft)
            {
                var (complete, blobs) = WithFields(Stored(draft), p.ExitState!);
                await p.Sink.Store.PutAsync(complete, blobs, CancellationToken.None).ConfigureAwait(false);
                p.ExitDraft = null;
                p.ExitState = null;
            }

            if (p.ExitWrites is { Count: > 0 } writes)
            {
                await p.Sink.Store.PutWritesAsync(p.Thread, p.Namespace, p.CheckpointId!, writes, CancellationToken.None).ConfigureAwait(false);
            }

            p.ExitWrites = null;
            return;
        }

        await p.Sink.FlushAsync().ConfigureAwait(false);
    }

    private async ValueTask ReportInterruptsAsync()
    {
        if ((_modes & StreamMode.Updates) == 0)
        {
            return;
        }

        for (var i = 0; i < _taskCount; i++)
        {
            if (_tasks[i].Interrupt is { } signal)
            {
                var id = TaskId(i);
                await EmitAsync(new InterruptEvent(_step, new InterruptInfo(InterruptIdOf(id, signal.Number), _graph.Nodes[_tasks[i].Node].Name, signal.Value))).ConfigureAwait(false);
            }
        }
    }

    private bool StopsAfter()
    {
        if (_p?.After is not { } after)
        {
            return false;
        }

        for (var i = 0; i < _taskCount; i++)
        {
            if (after[_tasks[i].Node])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>UpdateStateAsync</c>: writes <paramref name="update"/> onto a checkpoint as if <paramref name="asNode"/> had
    /// returned it, and stores the result as a new checkpoint.
    /// </summary>
    public async ValueTask<string> UpdateStateAsync(StateUpdate<TState>? update, string? asNode, CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        var p = _p!;
        var tuple = await OpenThreadAsync(mustExist: false, cancellationToken).ConfigureAwait(false);
        _state = TState.CreateDefault();
        _step = -1;
        if (tuple is not null)
        {
            Restore(tuple, full: true, useWrites: false);
        }

        var source = asNode is null ? -1 : _graph.Index.TryGetValue(asNode, out var index) ? index
            : throw new ArgumentException($"Graph '{_graph.Name}' has no node '{asNode}' to write the update as.", nameof(asNode));
        _step++;
        if (update is not null)
        {
            AddWrite(asNode ?? Graph.Start, update);
            ApplyWrites(clear: true);
        }

        if (source >= 0)
        {
            _triggered[source] = false;
            Route(source, _state, null);
            foreach (var slot in _graph.Nodes[source].JoinSlots)
            {
                _joinSeen[slot] = true;
            }

            if (_graph.Joins.Length > 0)
            {
                FireJoins();
            }
        }

        await SaveCheckpointAsync(CheckpointSource.Update).ConfigureAwait(false);
        await FinishPersistedAsync().ConfigureAwait(false);
        return p.CheckpointId!;
    }
}
