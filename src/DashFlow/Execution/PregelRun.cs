using System.Globalization;
using System.Threading.Channels;
using DashFlow.Internals;
using Polly;

namespace DashFlow;

/// <summary>
/// One run of a compiled graph: the superstep loop. Each superstep runs every triggered node against the same
/// snapshot, then applies their writes at the barrier in a fixed order (pull tasks in declaration order, then Sends in
/// emission order) and works out what the next superstep runs.
/// </summary>
/// <remarks>
/// The loop keeps all its bookkeeping in arrays sized once per run, so a superstep of synchronous nodes allocates only
/// the new snapshot and the nodes' updates; nodes that complete synchronously never cost a <see cref="Task"/>.
/// </remarks>
internal sealed partial class PregelRun<TState> : IRunEvents
    where TState : class, IGraphState<TState>
{
    private readonly GraphDefinition<TState> _graph;
    private string? _threadId;
    private int _recursionLimit;
    private ChannelWriter<GraphEvent>? _events;
    private StreamMode _modes;
    private string _namespace = "";

    private readonly bool[] _triggered;
    private readonly bool[] _joinSeen;
    private List<Send>? _nextSends;
    private List<Send>? _sends;

    private TaskSlot[] _tasks;
    private int _taskCount;
    private StateWrite<TState>[] _writes;
    private int _writeCount;

    private CancellationToken _token;
    private TState _state;
    private int _step;
    private int _baseStep;

    /// <summary>Creates the run's bookkeeping; <c>Start</c> prepares it for one run.</summary>
    public PregelRun(GraphDefinition<TState> graph)
    {
        _graph = graph;
        _state = null!;
        var n = graph.Nodes.Length;
        _triggered = new bool[n];
        _joinSeen = graph.JoinSlotCount == 0 ? [] : new bool[graph.JoinSlotCount];
        _tasks = new TaskSlot[Math.Max(1, Math.Min(n, 8))];
        _writes = new StateWrite<TState>[_tasks.Length];
    }

    /// <summary>Prepares the object for a run. A finished run's object may be reused for the next (see <see cref="Clear"/>).</summary>
    public void Start(RunConfig config, TState input, ChannelWriter<GraphEvent>? events, StreamMode modes, PersistedRun? persisted = null, string eventNamespace = "")
    {
        _namespace = eventNamespace;
        _p = persisted;
        _baseStep = 0;
        _threadId = config.ThreadId;
        _recursionLimit = config.RecursionLimit;
        _events = events;
        _modes = events is null ? StreamMode.None : modes;
        _state = input;
        _step = 0;
    }

    /// <summary>Forgets everything of the last run, finished or failed, so that no state or update stays reachable.</summary>
    public void Clear()
    {
        Array.Clear(_triggered);
        Array.Clear(_joinSeen);
        Array.Clear(_tasks);
        Array.Clear(_writes);
        _sends?.Clear();
        _nextSends?.Clear();
        _taskCount = 0;
        _writeCount = 0;
        _events = null;
        _threadId = null;
        _p = null;
        _state = null!;
        _token = default;
    }

    public bool WantsCustom => (_modes & StreamMode.Custom) != 0;

    public bool WantsMessages => (_modes & StreamMode.Messages) != 0;

    public async ValueTask<TState> RunAsync(Command<TState>? inputCommand, CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // The input step: the input is the first snapshot; a Command input adds its writes and destinations. A
            // resumed thread skips it and continues from its checkpoint.
            if (_p is null || !await BeginPersistedAsync(inputCommand).ConfigureAwait(false))
            {
                if (inputCommand is not null)
                {
                    AddResultWrites(new NodeResult<TState>(), inputCommand, Graph.Start);
                    ApplyWrites(clear: true);
                }

                Route(_graph.StartIndex, _state, inputCommand);
                if (_p is not null)
                {
                    await SaveCheckpointAsync(Persistence.CheckpointSource.Input).ConfigureAwait(false);
                }
            }

            if ((_modes & StreamMode.Values) != 0)
            {
                await EmitAsync(new ValuesEvent<TState>(_step, _state)).ConfigureAwait(false);
            }

            while (PrepareTasks())
            {
                // Cancellation stops the run between supersteps too, even when no node looks at the token.
                cancellationToken.ThrowIfCancellationRequested();
                _step++;
                if (_step - _baseStep > _recursionLimit)
                {
                    var names = new string[_taskCount];
                    for (var i = 0; i < _taskCount; i++)
                    {
                        names[i] = _graph.Nodes[_tasks[i].Node].Name;
                    }

                    throw new GraphRecursionException(_recursionLimit, _step, names, _threadId) { Step = _step, ThreadId = _threadId };
                }

                if (_p is not null && !await BeforeSuperstepAsync().ConfigureAwait(false))
                {
                    _p.Stop = StopKind.Before;
                    break;
                }

                await ExecuteTasks().ConfigureAwait(false);
                if (_p is not null && _p.Interrupted)
                {
                    _p.Stop = StopKind.Interrupt;
                    await ReportInterruptsAsync().ConfigureAwait(false);
                    break;
                }

                var stopAfter = _p is not null && StopsAfter();
                Barrier();
                if (_p is not null)
                {
                    await SaveCheckpointAsync(Persistence.CheckpointSource.Loop).ConfigureAwait(false);
                }

                if ((_modes & StreamMode.Values) != 0)
                {
                    await EmitAsync(new ValuesEvent<TState>(_step, _state)).ConfigureAwait(false);
                }

                if (stopAfter)
                {
                    _p!.Stop = StopKind.After;
                    break;
                }
            }

            if (_p is not null)
            {
                await FinishPersistedAsync().ConfigureAwait(false);
            }

            return _state;
        }
        catch (Exception) when (_p is not null)
        {
            // What finished before the failure (pending writes, queued checkpoints) is stored before the error surfaces.
            try
            {
                await FinishPersistedAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The run's own error is the one to report.
            }

            throw;
        }
    }

    /// <summary>Moves the triggers gathered at the last barrier into this superstep's task list.</summary>
    /// <returns>Whether anything runs.</returns>
    private bool PrepareTasks()
    {
        _taskCount = 0;
        (_sends, _nextSends) = (_nextSends, _sends);
        _nextSends?.Clear();
        var nodes = _graph.Nodes;

        // Deferred nodes wait while anything else is triggered.
        var holdDeferred = false;
        if (_graph.HasDeferredNodes)
        {
            holdDeferred = _sends is { Count: > 0 };
            for (var i = 0; i < nodes.Length && !holdDeferred; i++)
            {
                holdDeferred = _triggered[i] && !nodes[i].Options.Defer;
            }
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            if (_triggered[i] && !(holdDeferred && nodes[i].Options.Defer))
            {
                _triggered[i] = false;
                AddTask(i, null, isSend: false);
            }
        }

        if (_sends is not null)
        {
            foreach (var send in _sends)
            {
                AddTask(_graph.Index[send.Node], send.Arg, isSend: true);
            }
        }

        return _taskCount > 0;
    }

    private void AddTask(int node, object? arg, bool isSend)
    {
        if (_taskCount == _tasks.Length)
        {
            Array.Resize(ref _tasks, _tasks.Length * 2);
        }

        _tasks[_taskCount++] = new TaskSlot { Node = node, Arg = arg, IsSend = isSend };
    }

    /// <summary>
    /// Runs the superstep's tasks. While the tasks complete synchronously and nothing is streamed, this stays synchronous
    /// and allocates nothing; the first task that must be awaited, or an async node with siblings (which need a token a
    /// failure can cancel), hands the rest of the superstep to <see cref="ExecuteTasksAsync"/>.
    /// </summary>
    private ValueTask ExecuteTasks()
    {
        if (_modes != StreamMode.None || _p is not null)
        {
            return ExecuteTasksAsync(0, null);
        }

        var nodes = _graph.Nodes;
        for (var i = 0; i < _taskCount; i++)
        {
            if (_taskCount > 1 && nodes[_tasks[i].Node].IsAsync)
            {
                return ExecuteTasksAsync(i, null);
            }

            var running = Start(i, _token);
            if (!running.IsCompleted)
            {
                return ExecuteTasksAsync(i + 1, TrackAsync(i, running));
            }

            if (!Record(i, running))
            {
                throw Failure(i);
            }
        }

        return default;
    }

    /// <summary>Runs tasks <paramref name="from"/> onwards, with <paramref name="started"/> already in flight, and waits for all.</summary>
    private async ValueTask ExecuteTasksAsync(int from, Task<int>? started)
    {
        List<Task<int>>? pending = started is null ? null : [started];
        var failed = -1;
        CancellationTokenSource? siblings = null;
        try
        {
            for (var i = from; i < _taskCount && failed < 0; i++)
            {
                if (_tasks[i].Restored)
                {
                    // Finished before the run stopped: its stored writes are applied, and it does not run again.
                    continue;
                }

                var token = _token;
                if (_taskCount > 1 && _graph.Nodes[_tasks[i].Node].IsAsync)
                {
                    // In-flight siblings are cancelled when one task fails. Synchronous nodes are never in flight.
                    siblings ??= CancellationTokenSource.CreateLinkedTokenSource(_token);
                    token = siblings.Token;
                }

                if ((_modes & StreamMode.Tasks) != 0)
                {
                    await EmitAsync(new TaskStartedEvent(_step, _graph.Nodes[_tasks[i].Node].Name, i, _tasks[i].Arg)).ConfigureAwait(false);
                }

                var running = Start(i, token);
                if (running.IsCompleted)
                {
                    if (!Record(i, running))
                    {
                        failed = FirstFailure(failed, i);
                    }

                    if (_p is not null && KeepsWrites(i))
                    {
                        await SaveTaskAsync(i).ConfigureAwait(false);
                    }

                    if (_modes != StreamMode.None)
                    {
                        await ReportAsync(i).ConfigureAwait(false);
                    }
                }
                else
                {
                    (pending ??= []).Add(TrackAsync(i, running));
                }
            }

            if (pending is not null)
            {
                if (failed >= 0)
                {
                    siblings?.Cancel();
                }

                while (pending.Count > 0)
                {
                    var done = await Task.WhenAny(pending).ConfigureAwait(false);
                    pending.Remove(done);
                    var index = await done.ConfigureAwait(false);
                    if (_tasks[index].Error is not null)
                    {
                        failed = FirstFailure(failed, index);
                        siblings?.Cancel();
                    }
                }
            }
        }
        finally
        {
            siblings?.Dispose();
        }

        if (failed >= 0)
        {
            throw Failure(failed);
        }
    }

    /// <summary>The error a failed task fails the run with; cancellation of the run wins over the task's own error.</summary>
    private NodeFailedException Failure(int index)
    {
        _token.ThrowIfCancellationRequested();
        ref var slot = ref _tasks[index];
        return new NodeFailedException(_graph.Nodes[slot.Node].Name, _step, _threadId, slot.Attempts, slot.Error!);
    }

    /// <summary>The failure to report: the first that is not a sibling's cancellation.</summary>
    private int FirstFailure(int failed, int index) =>
        failed < 0 || (_tasks[failed].Error is OperationCanceledException && _tasks[index].Error is not OperationCanceledException) ? index : failed;

    /// <summary>Starts a task; an exception thrown while starting it is its failure.</summary>
    private ValueTask<NodeResult<TState>> Start(int index, CancellationToken token)
    {
        try
        {
            return StartTask(index, token);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<NodeResult<TState>>(e);
        }
    }

    /// <summary>Waits for a task that did not complete synchronously, records and reports it.</summary>
    /// <returns>The task's index.</returns>
    private async Task<int> TrackAsync(int index, ValueTask<NodeResult<TState>> running)
    {
        // A ValueTask may be consumed only once: its outcome is taken here and recorded as is.
        NodeResult<TState> result = default;
        Exception? error = null;
        try
        {
            result = await running.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        Record(index, result, error);
        if (_p is not null && KeepsWrites(index))
        {
            await SaveTaskAsync(index).ConfigureAwait(false);
        }

        if (_modes != StreamMode.None)
        {
            await ReportAsync(index).ConfigureAwait(false);
        }

        return index;
    }

    /// <summary>Records the outcome of a task that completed synchronously.</summary>
    /// <returns>Whether the task succeeded.</returns>
    private bool Record(int index, ValueTask<NodeResult<TState>> finished)
    {
        try
        {
            return Record(index, finished.Result, null);
        }
        catch (Exception e)
        {
            return Record(index, default, e);
        }
    }

    private bool Record(int index, NodeResult<TState> result, Exception? error)
    {
        ref var slot = ref _tasks[index];
        slot.Result = result;
        if (error is InterruptSignal signal)
        {
            // An interrupt is not a failure: siblings go on, and the run stops after the superstep.
            slot.Interrupt = signal;
            error = null;
            _p!.Interrupted = true;
        }

        slot.Error = error;
        if (slot.Attempts == 0)
        {
            slot.Attempts = 1;
        }

        return error is null;
    }

    /// <summary>Reports a finished task to the stream: its update (Updates) and its end (Tasks).</summary>
    private async ValueTask ReportAsync(int index)
    {
        var node = _graph.Nodes[_tasks[index].Node].Name;
        var error = _tasks[index].Error;
        if (error is null && _tasks[index].Interrupt is null && (_modes & StreamMode.Updates) != 0)
        {
            var result = _tasks[index].Result;
            if (result.Command is { Updates.Count: > 0 } command)
            {
                // A Command with several updates reports each of them, in the order they are written.
                if (command.Update is { } first)
                {
                    await EmitAsync(new UpdateEvent<TState>(_step, node, first)).ConfigureAwait(false);
                }

                foreach (var update in command.Updates)
                {
                    await EmitAsync(new UpdateEvent<TState>(_step, node, update)).ConfigureAwait(false);
                }
            }
            else
            {
                await EmitAsync(new UpdateEvent<TState>(_step, node, result.Update)).ConfigureAwait(false);
            }
        }

        if ((_modes & StreamMode.Tasks) != 0)
        {
            await EmitAsync(new TaskFinishedEvent(_step, node, index, error)).ConfigureAwait(false);
        }
    }

    private ValueTask<NodeResult<TState>> StartTask(int index, CancellationToken token)
    {
        ref var slot = ref _tasks[index];
        var node = _graph.Nodes[slot.Node];
        var state = _state;
        object? arg = null;
        if (slot.IsSend)
        {
            // AddSend checked that the argument fits the node.
            if (node.ArgType is null)
            {
                state = (TState)slot.Arg!;
            }
            else
            {
                arg = slot.Arg;
            }
        }

        slot.InterruptCalls = 0;
        if (node.Pipeline is null)
        {
            return Invoke(node, state, new NodeContext(_events is null && _p is null ? null : this, node.Name, _step, index, arg, _threadId, token));
        }

        return RunWithPipelineAsync(index, node, state, arg, token);
    }

    private async ValueTask<NodeResult<TState>> RunWithPipelineAsync(int index, GraphDefinition<TState>.NodeDef node, TState state, object? arg, CancellationToken token)
    {
        var context = ResilienceContextPool.Shared.Get(token);
        try
        {
            var outcome = await node.Pipeline!.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
                    try
                    {
                        s.Run._tasks[s.Index].InterruptCalls = 0;
                        var result = await s.Run.Invoke(s.Node, s.State, new NodeContext(s.Run._events is null && s.Run._p is null ? null : s.Run, s.Node.Name, s.Run._step, s.Index, s.Arg, s.Run._threadId, ctx.CancellationToken)).ConfigureAwait(false);
                        return Outcome.FromResult(result);
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<NodeResult<TState>>(e);
                    }
                },
                context,
                (Run: this, Node: node, State: state, Arg: arg, Index: index)).ConfigureAwait(false);
            _tasks[index].Attempts = context.Properties.GetValue(GraphDefinition<TState>.AttemptsKey, 1);
            if (outcome.Exception is { } error)
            {
                throw GraphDefinition<TState>.Unwrap(node.Name, node.Options, error);
            }

            return outcome.Result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string Describe(object? value) => value is null ? "null" : $"a {value.GetType().Name}";

    /// <summary>Applies the superstep's writes and works out the next superstep's triggers.</summary>
    private void Barrier()
    {
        var before = _state;
        _writeCount = 0;
        for (var i = 0; i < _taskCount; i++)
        {
            ref var slot = ref _tasks[i];
            slot.WriteStart = _writeCount;
            AddResultWrites(slot.Result, slot.Result.Command, _graph.Nodes[slot.Node].Name);
            slot.WriteCount = _writeCount - slot.WriteStart;
        }

        ApplyWrites(clear: false);

        for (var i = 0; i < _taskCount; i++)
        {
            ref var slot = ref _tasks[i];
            var node = _graph.Nodes[slot.Node];
            var routers = _graph.Routers[slot.Node];
            var view = before;
            if (routers.Length > 0 && slot.WriteCount > 0)
            {
                // A router sees the snapshot plus only its own node's update. When its node wrote every write of the
                // superstep, that is the new snapshot itself, and no second state is built.
                view = slot.WriteCount == _writeCount ? _state : ApplyOwn(before, slot.WriteStart, slot.WriteCount);
            }

            Route(slot.Node, view, slot.Result.Command);
            foreach (var joinSlot in node.JoinSlots)
            {
                _joinSeen[joinSlot] = true;
            }
        }

        if (_graph.Joins.Length > 0)
        {
            FireJoins();
        }

        Array.Clear(_tasks, 0, _taskCount);
        Array.Clear(_writes, 0, _writeCount);
    }

    private TState ApplyOwn(TState before, int start, int count)
    {
        try
        {
            return TState.ApplyWrites(before, new ReadOnlySpan<StateWrite<TState>>(_writes, start, count));
        }
        catch (InvalidUpdateException e)
        {
            throw e.At(_step, _threadId);
        }
    }

    private void AddResultWrites(NodeResult<TState> result, Command<TState>? command, string node)
    {
        if (command is not null)
        {
            if (command.Update is { } first)
            {
                AddWrite(node, first);
            }

            foreach (var update in command.Updates)
            {
                AddWrite(node, update);
            }
        }
        else if (result.Update is { } update)
        {
            AddWrite(node, update);
        }
    }

    private void AddWrite(string node, StateUpdate<TState> update)
    {
        if (_writeCount == _writes.Length)
        {
            Array.Resize(ref _writes, _writes.Length * 2);
        }

        _writes[_writeCount++] = new StateWrite<TState>(node, update);
    }

    private void ApplyWrites(bool clear)
    {
        if (_writeCount == 0)
        {
            return;
        }

        try
        {
            _state = TState.ApplyWrites(_state, new ReadOnlySpan<StateWrite<TState>>(_writes, 0, _writeCount));
        }
        catch (InvalidUpdateException e)
        {
            throw e.At(_step, _threadId);
        }

        if (clear)
        {
            Array.Clear(_writes, 0, _writeCount);
            _writeCount = 0;
        }
    }

    /// <summary>Triggers what follows <paramref name="source"/>: its edges, its routers and its Command's destinations.</summary>
    private void Route(int source, TState view, Command<TState>? command)
    {
        foreach (var next in _graph.Successors[source])
        {
            Trigger(next);
        }

        foreach (var router in _graph.Routers[source])
        {
            RouteResult result;
            try
            {
                result = router.Handler(view, _token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new NodeFailedException(router.Name, _step, _threadId, 1, e);
            }

            Apply(router, source, result);
        }

        if (command is not null)
        {
            foreach (var destination in command.Goto)
            {
                if (destination.Send is { } send)
                {
                    AddSend(send, source, null);
                }
                else
                {
                    Trigger(ResolveName(destination.Node, source, null));
                }
            }
        }
    }

    private void Apply(GraphDefinition<TState>.RouterDef router, int source, RouteResult result)
    {
        switch (result.Kind)
        {
            case RouteResult.ResultKind.Nothing:
                break;
            case RouteResult.ResultKind.Index:
                Trigger(router.Targets![result.Index]);
                break;
            case RouteResult.ResultKind.Indexes:
                foreach (var i in (int[])result.Payload!)
                {
                    Trigger(router.Targets![i]);
                }

                break;
            case RouteResult.ResultKind.Name:
                Trigger(ResolveName((string?)result.Payload, source, router));
                break;
            case RouteResult.ResultKind.Names:
                if (result.Payload is IEnumerable<string> names)
                {
                    foreach (var name in names)
                    {
                        Trigger(ResolveName(name, source, router));
                    }
                }

                break;
            case RouteResult.ResultKind.Sends:
                if (result.Payload is IEnumerable<Send> sends)
                {
                    foreach (var send in sends)
                    {
                        AddSend(send, source, router);
                    }
                }

                break;
            case RouteResult.ResultKind.Undeclared:
                throw Undeclared(router, (string)result.Payload!);
        }
    }

    private InvalidRouteException Undeclared(GraphDefinition<TState>.RouterDef router, string value)
    {
        var declared = router.TargetNames ?? [];
        return new InvalidRouteException(
            router.Name, value, declared,
            $"Router '{router.Name}' returned '{value}', which is not among its declared targets [{string.Join(", ", declared.Select(Graph.Display))}] " +
            $"(in {DashFlowException.Where(_step, _threadId)}). Declare it in the router's targets or return a declared one.")
        { Step = _step, ThreadId = _threadId };
    }

    /// <summary>
    /// Resolves a node name a router or a Command returned. Builds no message unless the name is wrong, so routing by
    /// name allocates nothing.
    /// </summary>
    private int ResolveName(string? name, int source, GraphDefinition<TState>.RouterDef? router)
    {
        if (name is not null && (router?.TargetNames is not { } declared || Array.IndexOf(declared, name) >= 0))
        {
            if (name == Graph.End)
            {
                return GraphDefinition<TState>.EndIndex;
            }

            if (_graph.Index.TryGetValue(name, out var index))
            {
                return index;
            }
        }

        throw BadName(name, source, router);
    }

    private InvalidRouteException BadName(string? name, int source, GraphDefinition<TState>.RouterDef? router)
    {
        var who = Who(source, router);
        if (name is null)
        {
            return new InvalidRouteException(
                router?.Name ?? _graph.NameOf(source), "null", router?.TargetNames ?? [],
                $"The {who} returned null (in {DashFlowException.Where(_step, _threadId)}); return a node name or Graph.End.")
            { Step = _step, ThreadId = _threadId };
        }

        if (router?.TargetNames is not null)
        {
            return Undeclared(router, name);
        }

        return new InvalidRouteException(
            router?.Name ?? _graph.NameOf(source), name, [],
            $"The {who} returned '{name}', which is not a node of graph '{_graph.Name}' (in {DashFlowException.Where(_step, _threadId)}). " +
            "Return the name of a node or Graph.End.")
        { Step = _step, ThreadId = _threadId };
    }

    private string Who(int source, GraphDefinition<TState>.RouterDef? router) =>
        router is not null ? $"router '{router.Name}'" : $"node '{Graph.Display(_graph.NameOf(source))}' (in its Command.Goto)";

    /// <summary>Schedules a Send for the next superstep after checking its target and that its argument fits the node.</summary>
    private void AddSend(Send send, int source, GraphDefinition<TState>.RouterDef? router)
    {
        var target = ResolveName(send.Node, source, router);
        var problem = target == GraphDefinition<TState>.EndIndex
            ? "a Send must name a node, not End"
            : ArgumentProblem(_graph.Nodes[target], send.Arg);
        if (problem is not null)
        {
            throw new InvalidRouteException(
                router?.Name ?? _graph.NameOf(source), send.ToString(), router?.TargetNames ?? [],
                $"The {Who(source, router)} returned {send} (in {DashFlowException.Where(_step, _threadId)}), but {problem}.")
            { Step = _step, ThreadId = _threadId };
        }

        (_nextSends ??= []).Add(send);
    }

    /// <summary>Why <paramref name="arg"/> cannot be the input of <paramref name="node"/>, or null when it can.</summary>
    private static string? ArgumentProblem(GraphDefinition<TState>.NodeDef node, object? arg)
    {
        if (node.ArgType is null)
        {
            return arg is TState
                ? null
                : $"node '{node.Name}' reads the state ({typeof(TState).Name}) and the Send carries {Describe(arg)}; send a {typeof(TState).Name}, " +
                  "or give the node a parameter of the argument's type";
        }

        var fits = arg is null
            ? !node.ArgType.IsValueType || Nullable.GetUnderlyingType(node.ArgType) is not null
            : node.ArgType.IsInstanceOfType(arg);
        return fits ? null : $"node '{node.Name}' takes a {node.ArgType.Name} and the Send carries {Describe(arg)}";
    }

    private void Trigger(int node)
    {
        if (node >= 0)
        {
            _triggered[node] = true;
        }
    }

    private void FireJoins()
    {
        foreach (var join in _graph.Joins)
        {
            var all = true;
            for (var p = 0; p < join.Sources.Length && all; p++)
            {
                all = _joinSeen[join.SlotOffset + p];
            }

            if (all)
            {
                Array.Clear(_joinSeen, join.SlotOffset, join.Sources.Length);
                Trigger(join.Target);
            }
        }
    }

    public ValueTask CustomAsync(string node, int step, int task, object? value, CancellationToken cancellationToken) =>
        (_modes & StreamMode.Custom) != 0 ? EmitAsync(new CustomEvent(step, node, value)) : default;

    public ValueTask MessageAsync(string node, int step, int task, object chunk, CancellationToken cancellationToken) =>
        (_modes & StreamMode.Messages) != 0 ? EmitAsync(new MessageEvent(step, node, task, chunk)) : default;

    /// <summary>Calls a node; when the run streams messages, with <see cref="NodeContext.Current"/> set for its flow.</summary>
    private ValueTask<NodeResult<TState>> Invoke(GraphDefinition<TState>.NodeDef node, TState state, NodeContext context) =>
        (_modes & StreamMode.Messages) == 0
            ? node.Handler(state, context)
            : NodeContext.RunAsCurrentAsync(context, (node.Handler, state), static (a, c) => a.Handler(a.state, c));

    private ValueTask EmitAsync(GraphEvent e) => _events!.WriteAsync(_namespace.Length == 0 ? e : e with { Namespace = _namespace }, _token);

    public ChildStream? ChildStream(int task, string? checkpointNamespace)
    {
        if ((_modes & StreamMode.Subgraphs) == 0)
        {
            return null;
        }

        var ns = checkpointNamespace ?? string.Create(CultureInfo.InvariantCulture, $"{_graph.Nodes[_tasks[task].Node].Name}:{_step}.{task}");
        return new ChildStream(_events!, _modes, checkpointNamespace is null && _namespace.Length > 0 ? _namespace + "|" + ns : ns);
    }

    private struct TaskSlot
    {
        public int Node;
        public object? Arg;
        public bool IsSend;
        public NodeResult<TState> Result;
        public Exception? Error;
        public int Attempts;
        public int WriteStart;
        public int WriteCount;

        // Checkpointed runs only.
        public bool Restored;
        public int InterruptCalls;

        /// <summary>How many interrupts the task raised in earlier runs (the highest stored interrupt number + 1).</summary>
        public int Raised;
        public InterruptSignal? Interrupt;
        public (bool Given, object? Value)[]? Answers;
    }
}
