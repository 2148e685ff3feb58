using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DashFlow.Persistence;

namespace DashFlow;

/// <summary>
/// A checked, runnable graph. Immutable and thread-safe: one compiled graph serves any number of concurrent runs;
/// per-run settings live in <see cref="RunConfig"/>.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public sealed partial class CompiledGraph<TState>
    where TState : class, IGraphState<TState>
{
    private readonly GraphDefinition<TState> _definition;
    private readonly ConcurrentDictionary<string, byte> _activeThreads = new(StringComparer.Ordinal);
    private PregelRun<TState>? _idleRun;

    private readonly CompileOptions _options;

    internal CompiledGraph(GraphDefinition<TState> definition, GraphShape shape, CompileOptions? options = null)
    {
        _definition = definition;
        Shape = shape;
        _options = options ?? new CompileOptions();
        CheckInterruptNodes(_options.InterruptBefore, nameof(CompileOptions.InterruptBefore));
        CheckInterruptNodes(_options.InterruptAfter, nameof(CompileOptions.InterruptAfter));
    }

    /// <summary>The graph's name.</summary>
    public string Name => _definition.Name;

    /// <summary>The topology.</summary>
    public GraphShape Shape { get; }

    /// <summary>The node names in declaration order.</summary>
    public IReadOnlyList<string> Nodes => Shape.Nodes.Select(n => n.Name).ToArray();

    /// <summary>The graph as Mermaid text.</summary>
    /// <returns>A Mermaid flowchart.</returns>
    public string ToMermaid() => Shape.ToMermaid();

    /// <summary>
    /// Runs the graph to the end (or to an interrupt) and returns the state it reached. With a checkpointer and a thread
    /// id, a null <paramref name="input"/> resumes the thread from its latest checkpoint (or
    /// <see cref="RunConfig.CheckpointId"/>): finished tasks are not run again.
    /// </summary>
    /// <param name="input">The input, the state the first superstep reads; null to resume the thread.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The final state.</returns>
    /// <exception cref="NodeFailedException">A node failed after its retries.</exception>
    /// <exception cref="InvalidUpdateException">A superstep's writes conflicted.</exception>
    /// <exception cref="GraphRecursionException">The run needed more supersteps than its recursion limit.</exception>
    /// <exception cref="InvalidRouteException">A router returned a target it did not declare.</exception>
    public ValueTask<TState> InvokeAsync(TState? input, RunConfig? config = null, CancellationToken cancellationToken = default) =>
        RunAsync(input ?? TState.CreateDefault(), null, config ?? RunConfig.Default, null, StreamMode.None, cancellationToken, resume: input is null);

    /// <summary>
    /// Runs the graph from a command: its update is written as the input step's and its destinations run first, besides
    /// the entry edges.
    /// </summary>
    /// <param name="input">The command.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The final state.</returns>
    public ValueTask<TState> InvokeAsync(Command<TState> input, RunConfig? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunAsync(TState.CreateDefault(), input, config ?? RunConfig.Default, null, StreamMode.None, cancellationToken);
    }

    /// <summary>Runs the graph and streams what happens, in the requested modes.</summary>
    /// <param name="input">The input state; null to resume the thread (see <see cref="InvokeAsync(TState, RunConfig, CancellationToken)"/>).</param>
    /// <param name="modes">What to report.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run; leaving the enumeration early stops it too.</param>
    /// <returns>The events; the run's error, if any, is thrown from the enumeration after the events before it.</returns>
    public IAsyncEnumerable<GraphEvent> StreamAsync(TState? input, StreamMode modes = StreamMode.Updates, RunConfig? config = null, CancellationToken cancellationToken = default) =>
        StreamCoreAsync(input ?? TState.CreateDefault(), null, modes, config ?? RunConfig.Default, cancellationToken, resume: input is null);

    /// <summary>Runs the graph from a command and streams what happens.</summary>
    /// <param name="input">The command.</param>
    /// <param name="modes">What to report.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The events.</returns>
    public IAsyncEnumerable<GraphEvent> StreamAsync(Command<TState> input, StreamMode modes = StreamMode.Updates, RunConfig? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StreamCoreAsync(TState.CreateDefault(), input, modes, config ?? RunConfig.Default, cancellationToken, resume: false);
    }

    private async IAsyncEnumerable<GraphEvent> StreamCoreAsync(
        TState input, Command<TState>? command, StreamMode modes, RunConfig config, [EnumeratorCancellation] CancellationToken cancellationToken, bool resume)
    {
        var channel = Channel.CreateBounded<GraphEvent>(new BoundedChannelOptions(Math.Max(1, config.StreamBufferSize))
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = Task.Run(
            async () =>
            {
                try
                {
                    await RunAsync(input, command, config, channel.Writer, modes, stop.Token, resume).ConfigureAwait(false);
                    channel.Writer.TryComplete();
                }
                catch (Exception e)
                {
                    channel.Writer.TryComplete(e);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            // Leaving early stops the run; either way the run has ended before the enumeration does.
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the graph like <see cref="InvokeAsync(TState, RunConfig, CancellationToken)"/> and also says where it stopped:
    /// the interrupts (or static breakpoints) that wait for an answer, and the checkpoint it ended on.
    /// </summary>
    /// <param name="input">The input; null to resume the thread.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The state it reached, and its pending interrupts (empty when it ran to the end).</returns>
    /// <example><code>
    /// var result = await app.InvokeForResultAsync(input, config);
    /// if (result.IsInterrupted) Console.WriteLine(result.Interrupts[0].Value);
    /// </code></example>
    public async ValueTask<RunResult<TState>> InvokeForResultAsync(TState? input, RunConfig? config = null, CancellationToken cancellationToken = default)
    {
        var outcome = new RunOutcome();
        var state = await RunAsync(input ?? TState.CreateDefault(), null, config ?? RunConfig.Default, null, StreamMode.None, cancellationToken, resume: input is null, outcome).ConfigureAwait(false);
        return new RunResult<TState>(state, outcome.Stopped ?? [], outcome.CheckpointId);
    }

    /// <summary>Runs the graph from a command (a resume, an update) and says where it stopped.</summary>
    /// <param name="input">The command.</param>
    /// <param name="config">Per-run settings; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The state it reached, and its pending interrupts (empty when it ran to the end).</returns>
    public async ValueTask<RunResult<TState>> InvokeForResultAsync(Command<TState> input, RunConfig? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outcome = new RunOutcome();
        var state = await RunAsync(TState.CreateDefault(), input, config ?? RunConfig.Default, null, StreamMode.None, cancellationToken, resume: false, outcome).ConfigureAwait(false);
        return new RunResult<TState>(state, outcome.Stopped ?? [], outcome.CheckpointId);
    }

    /// <summary>Where a run stopped, filled in before its bookkeeping is cleared.</summary>
    private sealed class RunOutcome
    {
        public List<InterruptInfo>? Stopped { get; set; }

        public string? CheckpointId { get; set; }
    }

    private async ValueTask<TState> RunAsync(
        TState input, Command<TState>? command, RunConfig config, ChannelWriter<GraphEvent>? events, StreamMode modes, CancellationToken cancellationToken, bool resume = false,
        RunOutcome? outcome = null, string eventNamespace = "")
    {
        if (config.RecursionLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.RecursionLimit, "RunConfig.RecursionLimit must be at least 1.");
        }

        var persisted = config.Checkpointer is null && _options.Checkpointer is null && config.InterruptBefore is null && config.InterruptAfter is null &&
                        _options.InterruptBefore is null && _options.InterruptAfter is null && !resume && command is not { IsResume: true }
            ? null
            : Persist(config, resume || command is { IsResume: true });
        var thread = config.ThreadId;
        if (thread is not null && !_activeThreads.TryAdd(thread, 0))
        {
            throw new ThreadBusyException(thread);
        }

        CancellationTokenSource? timer = null;
        CancellationTokenSource? timeout = null;
        try
        {
            if (config.Timeout is { } limit)
            {
                timer = new CancellationTokenSource(limit, _definition.TimeProvider);
                timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            }

            // Runs that nobody observes reuse one cached bookkeeping object, so an invoke allocates little beyond the
            // snapshots and updates. A streamed run gets its own: its node contexts can reach the stream.
            var run = (events is null ? Interlocked.Exchange(ref _idleRun, null) : null) ?? new PregelRun<TState>(_definition);
            run.Start(config, input, events, modes, persisted, eventNamespace);
            try
            {
                return await run.RunAsync(command, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RunTimeoutException(Name, config.Timeout!.Value, thread);
            }
            finally
            {
                if (outcome is not null)
                {
                    outcome.Stopped = run.StoppedAt();
                    outcome.CheckpointId = run.LastCheckpointId;
                }

                run.Clear();
                if (events is null)
                {
                    Interlocked.CompareExchange(ref _idleRun, run, null);
                }
            }
        }
        finally
        {
            timeout?.Dispose();
            timer?.Dispose();
            if (thread is not null)
            {
                _activeThreads.TryRemove(thread, out _);
            }
        }
    }
}
