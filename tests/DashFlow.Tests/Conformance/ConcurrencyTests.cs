using System.Threading.Tasks.Sources;
using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §8: one compiled graph serves concurrent runs; one thread id has at most one run at a time.</summary>
public sealed class ConcurrencyTests
{
    private static CompiledGraph<DemoState> Pipeline() => new StateGraph<DemoState>()
        .AddNode("split", async (s, c) =>
        {
            await Task.Yield();
            return Logs($"{s.Query}:split");
        })
        .AddNode("left", async (s, c) =>
        {
            await Task.Yield();
            return new DemoState.Update { Log = [$"{s.Query}:left"], Count = 1 };
        })
        .AddNode("right", async (s, c) =>
        {
            await Task.Yield();
            return new DemoState.Update { Log = [$"{s.Query}:right"], Count = 10 };
        })
        .AddNode("join", (s, c) => new(new DemoState.Update { Log = [$"{s.Query}:join({s.Count})"] }))
        .AddEdge(Graph.Start, "split")
        .AddEdge("split", "left")
        .AddEdge("split", "right")
        .AddEdge(["left", "right"], "join")
        .AddConditionalEdges("join", s => s.Count < 33 ? "split" : Graph.End, ["split", Graph.End])
        .Compile();

    [Fact]
    public async Task One_compiled_graph_run_from_many_tasks_at_once_gives_each_run_its_own_result()
    {
        var app = Pipeline();

        var runs = Enumerable.Range(0, 64)
            .Select(i => Task.Run(async () => (i, await app.InvokeAsync(new DemoState { Query = $"r{i}" }, new RunConfig { ThreadId = $"t{i}" }))))
            .ToArray();
        var results = await Task.WhenAll(runs).Within();

        foreach (var (i, final) in results)
        {
            var q = $"r{i}";
            string[] round = [$"{q}:split", $"{q}:left", $"{q}:right"];
            Assert.Equal(
                [.. round, $"{q}:join(11)", .. round, $"{q}:join(22)", .. round, $"{q}:join(33)"],
                final.Log);
            Assert.Equal(33, final.Count);
            Assert.Equal(q, final.Query);
        }
    }

    [Fact]
    public async Task Runs_without_a_thread_id_never_block_each_other()
    {
        var app = Pipeline();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => app.InvokeAsync(new DemoState { Query = "same" }).AsTask())).Within();

        Assert.All(results, r => Assert.Equal(33, r.Count));
    }

    [Fact]
    public async Task A_second_run_on_a_busy_thread_is_refused_with_ThreadBusyException()
    {
        var started = NewSignal();
        var release = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("hold", async (s, c) =>
            {
                started.TrySetResult();
                await release.Task.WaitAsync(c.CancellationToken);
                return Logs(s.Query);
            })
            .AddEdge(Graph.Start, "hold")
            .Compile();
        var config = new RunConfig { ThreadId = "shared" };

        var first = app.InvokeAsync(new DemoState { Query = "first" }, config).AsTask();
        await started.Task.Within();

        var invoke = await Assert.ThrowsAsync<ThreadBusyException>(() => app.InvokeAsync(new DemoState { Query = "second" }, config).AsTask());
        var stream = await Assert.ThrowsAsync<ThreadBusyException>(() => app.StreamAsync(new DemoState { Query = "third" }, StreamMode.Updates, config).CollectAsync());
        var other = app.InvokeAsync(new DemoState { Query = "elsewhere" }, new RunConfig { ThreadId = "other" }).AsTask();

        Assert.Equal("shared", invoke.ThreadId);
        Assert.Contains("'shared'", invoke.Message, StringComparison.Ordinal);
        Assert.Equal("shared", stream.ThreadId);

        release.SetResult();
        Assert.Equal(["first"], (await first.Within()).Log);
        Assert.Equal(["elsewhere"], (await other.Within()).Log);

        // Once the first run is over, the thread takes a new run.
        Assert.Equal(["again"], (await app.InvokeAsync(new DemoState { Query = "again" }, config).AsTask().Within()).Log);
    }

    [Fact]
    public async Task A_thread_is_freed_when_its_run_fails()
    {
        var fail = true;
        var app = new StateGraph<DemoState>()
            .AddNode("maybe", s => fail ? throw new InvalidOperationException("no") : Logs("yes"))
            .AddEdge(Graph.Start, "maybe")
            .Compile();
        var config = new RunConfig { ThreadId = "recover" };

        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState(), config).AsTask());
        fail = false;

        Assert.Equal(["yes"], (await app.InvokeAsync(new DemoState(), config)).Log);
    }

    [Fact]
    public async Task A_node_completing_through_a_reusable_ValueTask_source_is_read_exactly_once()
    {
        var source = new OneShotSource();
        var started = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("pooled", (s, c) =>
            {
                started.SetResult();
                return source.Task;
            })
            .AddNode("sibling", s => Logs("sibling"))
            .AddEdge(Graph.Start, "pooled")
            .AddEdge(Graph.Start, "sibling")
            .Compile();

        var run = app.InvokeAsync(new DemoState()).AsTask();
        await started.Task.Within();
        source.Complete(Logs("pooled"));

        Assert.Equal(["pooled", "sibling"], (await run.Within()).Log);
        Assert.Equal(1, source.Reads);
    }

    /// <summary>A ValueTask source like a pooled one: reading its result a second time is an error.</summary>
    private sealed class OneShotSource : IValueTaskSource<NodeResult<DemoState>>
    {
        private ManualResetValueTaskSourceCore<NodeResult<DemoState>> _core = new() { RunContinuationsAsynchronously = true };
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ValueTask<NodeResult<DemoState>> Task => new(this, _core.Version);

        public void Complete(DemoState.Update update) => _core.SetResult(update);

        public NodeResult<DemoState> GetResult(short token) =>
            Interlocked.Increment(ref _reads) == 1 ? _core.GetResult(token) : throw new InvalidOperationException("The result was read twice.");

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
