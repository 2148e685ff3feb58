using DashFlow.Persistence;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Semantics §4, durability modes: Async's bounded queue, Exit with interrupts.</summary>
public sealed class DurabilityTests
{
    private const int Ticks = 150;

    /// <summary>A checkpointer whose puts wait until the test opens the gate, and that records the order of the steps it stores.</summary>
    private sealed class GatedCheckpointer : ICheckpointer
    {
        private readonly InMemoryCheckpointer _inner = new();
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private readonly List<int> _steps = [];

        public void Open() => _gate.TrySetResult();

        public int[] Steps
        {
            get
            {
                lock (_lock)
                {
                    return [.. _steps];
                }
            }
        }

        public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default) =>
            _inner.GetAsync(threadId, checkpointNamespace, checkpointId, cancellationToken);

        public IAsyncEnumerable<CheckpointTuple> ListAsync(string threadId, string checkpointNamespace, CheckpointListOptions? options = null, CancellationToken cancellationToken = default) =>
            _inner.ListAsync(threadId, checkpointNamespace, options, cancellationToken);

        public async ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            lock (_lock)
            {
                _steps.Add(checkpoint.Step);
            }

            await _inner.PutAsync(checkpoint, newBlobs, cancellationToken);
        }

        public async ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            await _inner.PutWritesAsync(threadId, checkpointNamespace, checkpointId, writes, cancellationToken);
        }

        public ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default) => _inner.DeleteThreadAsync(threadId, cancellationToken);

        public IAsyncEnumerable<string> ListThreadsAsync(CancellationToken cancellationToken = default) => _inner.ListThreadsAsync(cancellationToken);
    }

    private static CompiledGraph<DemoState> Ticker(ICheckpointer store, Func<int, int> onTick) =>
        new StateGraph<DemoState>()
            .AddNode("tick", s =>
            {
                onTick(s.Count);
                return new DemoState.Update { Count = 1 };
            })
            .AddConditionalEdges("tick", s => s.Count < Ticks ? "tick" : Graph.End, ["tick", Graph.End])
            .AddEdge(Graph.Start, "tick")
            .Compile(new CompileOptions { Checkpointer = store });

    [Fact]
    public async Task Async_durability_runs_ahead_of_a_slow_store_only_as_far_as_its_bounded_queue()
    {
        var store = new GatedCheckpointer();
        var ticks = 0;
        var app = Ticker(store, _ => Interlocked.Increment(ref ticks));
        var config = Thread() with { Durability = Durability.Async, RecursionLimit = Ticks + 10 };

        var run = app.InvokeAsync(new DemoState(), config).AsTask();

        // The run goes on while the store is blocked, until the queue is full; then it waits (backpressure).
        var settled = await SettledAsync(() => Volatile.Read(ref ticks));
        Assert.InRange(settled, 1, Ticks - 1);
        Assert.False(run.IsCompleted);

        store.Open();
        var final = await run;

        Assert.Equal(Ticks, final.Count);
        // Every checkpoint is stored, in order: the input step, then each superstep.
        Assert.Equal(Enumerable.Range(0, Ticks + 1), store.Steps);
    }

    [Fact]
    public async Task Sync_durability_waits_for_each_checkpoint_before_the_next_superstep()
    {
        var store = new GatedCheckpointer();
        var ticks = 0;
        var app = Ticker(store, _ => Interlocked.Increment(ref ticks));
        var config = Thread() with { Durability = Durability.Sync, RecursionLimit = Ticks + 10 };

        var run = app.InvokeAsync(new DemoState(), config).AsTask();

        Assert.Equal(0, await SettledAsync(() => Volatile.Read(ref ticks)));
        store.Open();
        Assert.Equal(Ticks, (await run).Count);
    }

    [Fact]
    public async Task Exit_durability_stores_an_interrupted_run_once_and_resumes_it()
    {
        var store = new CountingCheckpointer();
        var runs = new ConformanceSupport.Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", s =>
            {
                runs.Add("a");
                return ConformanceSupport.Logs("a");
            })
            .AddNode("ask", (s, c) =>
            {
                runs.Add("ask");
                return new(ConformanceSupport.Logs(c.Interrupt<string>("name?")));
            })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "ask")
            .Compile(new CompileOptions { Checkpointer = store });
        var config = Thread() with { Durability = Durability.Exit };

        var stopped = await app.InvokeForResultAsync(new DemoState(), config);

        Assert.Equal("name?", Assert.Single(stopped.Interrupts).Value);
        Assert.Equal(1, store.Checkpoints);
        Assert.Equal("name?", Assert.Single((await app.GetStateAsync(config)).Interrupts).Value);

        var final = await app.InvokeAsync(new Command<DemoState> { Resume = "Ada" }, config);

        Assert.Equal(["a", "Ada"], final.Log);
        Assert.Equal(["a", "ask", "ask"], runs.ToArray());
        Assert.Equal(2, store.Checkpoints);
    }

    /// <summary>Polls <paramref name="read"/> until it stops changing for a while, and returns it.</summary>
    private static async Task<int> SettledAsync(Func<int> read)
    {
        var last = -1;
        var stable = 0;
        for (var i = 0; i < 400 && stable < 10; i++)
        {
            await Task.Delay(25);
            var now = read();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }

        return last;
    }
}
