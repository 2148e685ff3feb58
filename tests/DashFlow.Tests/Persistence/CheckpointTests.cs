using DashFlow.Persistence;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using Microsoft.Extensions.Time.Testing;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Semantics §4: checkpoints, pending writes, resume, durability modes, time travel.</summary>
public sealed class CheckpointTests
{
    private static StateGraph<DemoState> Chain(ConformanceSupport.Journal<string>? ran = null) => new StateGraph<DemoState>()
        .AddNode("a", s => { ran?.Add("a"); return ConformanceSupport.Logs("a"); })
        .AddNode("b", s => { ran?.Add("b"); return ConformanceSupport.Logs("b"); })
        .AddNode("c", s => { ran?.Add("c"); return ConformanceSupport.Logs("c"); })
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b")
        .AddEdge("b", "c");

    [Fact]
    public async Task History_is_newest_first_with_the_step_numbers_of_the_input_and_each_superstep()
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState { Query = "q" }, config);

        var history = await app.GetStateHistoryAsync(config).ToListAsync();

        Assert.Equal([3, 2, 1, 0], history.Select(h => h.Checkpoint.Step));
        Assert.Equal([CheckpointSource.Loop, CheckpointSource.Loop, CheckpointSource.Loop, CheckpointSource.Input], history.Select(h => h.Checkpoint.Source));
        Assert.Equal("input", history[^1].Metadata["source"]);
        Assert.Equal("3", history[0].Metadata["step"]);
        Assert.Equal([["c"], ["b"], ["a"]], history.Skip(1).Select(h => h.Next));
        Assert.Empty(history[0].Next);
        Assert.Equal(["a", "b", "c"], history[0].Values.Log);
        for (var i = 0; i < history.Count - 1; i++)
        {
            Assert.Equal(history[i + 1].Checkpoint.Id, history[i].Checkpoint.ParentId);
            Assert.True(string.CompareOrdinal(history[i].Checkpoint.Id, history[i + 1].Checkpoint.Id) > 0);
        }

        var page = await app.GetStateHistoryAsync(config, new CheckpointListOptions { Before = history[1].Checkpoint.Id, Limit = 1 }).ToListAsync();
        Assert.Equal(1, Assert.Single(page).Checkpoint.Step);
        var inputs = await app.GetStateHistoryAsync(config, new CheckpointListOptions { Metadata = new Dictionary<string, string> { ["source"] = "input" } }).ToListAsync();
        Assert.Equal(0, Assert.Single(inputs).Checkpoint.Step);
    }

    [Fact]
    public async Task A_failing_parallel_node_leaves_its_siblings_writes_pending_and_resume_runs_only_the_failed_node()
    {
        var ran = new ConformanceSupport.Journal<string>();
        var fail = true;
        var app = new StateGraph<DemoState>()
            .AddNode("ok", s => { ran.Add("ok"); return ConformanceSupport.Logs("ok"); })
            .AddNode("flaky", s =>
            {
                ran.Add("flaky");
                return fail ? throw new InvalidOperationException("down") : ConformanceSupport.Logs("flaky");
            })
            .AddNode("join", s => { ran.Add("join"); return ConformanceSupport.Logs("join"); })
            .AddEdge(Graph.Start, "ok")
            .AddEdge(Graph.Start, "flaky")
            .AddEdge(["ok", "flaky"], "join")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState(), config).AsTask());
        Assert.Equal("flaky", error.Node);
        var state = await app.GetStateAsync(config);
        Assert.True(state.Tasks.Single(t => t.Node == "ok").Finished);
        Assert.Contains("down", state.Tasks.Single(t => t.Node == "flaky").Error, StringComparison.Ordinal);

        fail = false;
        var final = await app.InvokeAsync((DemoState?)null, config);

        Assert.Equal(["ok", "flaky", "join"], final.Log);
        Assert.Equal(["ok", "flaky", "flaky", "join"], ran.ToArray());
    }

    [Fact]
    public async Task New_input_after_a_failure_discards_the_unfinished_tasks()
    {
        var fail = true;
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => ConformanceSupport.Logs("a:" + s.Query))
            .AddNode("b", s => fail ? throw new InvalidOperationException("down") : ConformanceSupport.Logs("b:" + s.Query))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState { Query = "1" }, config).AsTask());
        Assert.Equal(["b"], (await app.GetStateAsync(config)).Next);

        fail = false;
        var final = await app.InvokeAsync(new DemoState { Query = "2" }, config);

        Assert.Equal(["a:2", "b:2"], final.Log);
        var history = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal([4, 3, 2, 1, 0], history.Select(h => h.Checkpoint.Step));
    }

    [Fact]
    public async Task A_command_input_on_a_thread_updates_its_state_through_the_reducers()
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);

        var final = await app.InvokeAsync(new Command<DemoState> { Update = new DemoState.Update { Log = ["more"] } }, config);

        Assert.Equal(["a", "b", "c", "more", "a", "b", "c"], final.Log);
    }

    [Fact]
    public async Task Replay_from_an_older_checkpoint_creates_a_branch_and_keeps_the_old_one()
    {
        var ran = new ConformanceSupport.Journal<string>();
        var app = Chain(ran).Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);
        var before = await app.GetStateHistoryAsync(config).ToListAsync();
        var afterA = before.Single(h => h.Checkpoint.Step == 1);

        var replayed = await app.InvokeAsync((DemoState?)null, afterA.Config);

        Assert.Equal(["a", "b", "c"], replayed.Log);
        Assert.Equal(["a", "b", "c", "b", "c"], ran.ToArray());
        var after = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal(before.Count + 2, after.Count);
        foreach (var old in before)
        {
            var same = after.Single(h => h.Checkpoint.Id == old.Checkpoint.Id);
            Assert.Equal(old.Checkpoint, same.Checkpoint);
        }

        var branch = after[1];
        Assert.Equal(afterA.Checkpoint.Id, branch.Checkpoint.ParentId);
        Assert.Equal(2, branch.Checkpoint.Step);
    }

    [Fact]
    public async Task A_fork_with_modified_state_runs_on_from_the_update()
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);
        var afterA = (await app.GetStateHistoryAsync(config).ToListAsync()).Single(h => h.Checkpoint.Step == 1);

        var fork = await app.UpdateStateAsync(afterA.Config, new DemoState.Update { Query = "edited", Log = ["human"] }, asNode: "a");
        var forked = await app.GetStateAsync(fork);
        Assert.Equal(CheckpointSource.Fork, forked.Checkpoint.Source);
        Assert.Equal(afterA.Checkpoint.Id, forked.Checkpoint.ParentId);
        Assert.Equal(["b"], forked.Next);
        Assert.Equal("edited", forked.Values.Query);

        var final = await app.InvokeAsync((DemoState?)null, fork);

        Assert.Equal(["a", "human", "b", "c"], final.Log);
        Assert.Equal("edited", final.Query);
        Assert.Equal(["a", "b", "c"], (await app.GetStateHistoryAsync(config).ToListAsync()).Single(h => h.Checkpoint.Step == 3 && h.Checkpoint.ParentId != null && h.Values.Query == "").Values.Log);
    }

    [Fact]
    public async Task A_large_untouched_field_is_stored_once()
    {
        var store = new CountingCheckpointer();
        var loops = 0;
        var app = new StateGraph<BigState>()
            .AddNode("step", s => new BigState.Update { Count = 1 })
            .AddEdge(Graph.Start, "step")
            .AddConditionalEdges("step", s => ++loops < 10 ? "step" : Graph.End, ["step", Graph.End])
            .Compile(new CompileOptions { Checkpointer = store });
        var config = Thread();

        var final = await app.InvokeAsync(new BigState { Big = new string('x', 100_000) }, config);

        Assert.Equal(10, final.Count);
        Assert.Equal(11, store.Checkpoints);
        Assert.Equal(1, store.BlobsOf(nameof(BigState.Big)));
        Assert.Equal(1, store.BlobsOf(nameof(BigState.Log)));
        Assert.Equal(11, store.BlobsOf(nameof(BigState.Count)));
        Assert.Equal(100_000, (await app.GetStateAsync(config)).Values.Big.Length);
    }

    [Theory]
    [InlineData(Durability.Sync, 4)]
    [InlineData(Durability.Async, 4)]
    [InlineData(Durability.Exit, 1)]
    public async Task Every_durability_mode_stores_the_final_state(Durability durability, int checkpoints)
    {
        var store = new CountingCheckpointer();
        var app = Chain().Compile(new CompileOptions { Checkpointer = store, TimeProvider = new FakeTimeProvider() });
        var config = Thread() with { ThreadId = "t-" + durability, Durability = durability };

        await app.InvokeAsync(new DemoState(), config);

        Assert.Equal(checkpoints, store.Checkpoints);
        var state = await app.GetStateAsync(config);
        Assert.Equal(["a", "b", "c"], state.Values.Log);
        Assert.Equal(3, state.Checkpoint.Step);
    }

    [Fact]
    public async Task With_exit_durability_a_failed_run_stores_its_last_checkpoint_and_pending_writes()
    {
        var fail = true;
        var ran = new ConformanceSupport.Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => { ran.Add("a"); return ConformanceSupport.Logs("a"); })
            .AddNode("ok", s => { ran.Add("ok"); return ConformanceSupport.Logs("ok"); })
            .AddNode("flaky", s => { ran.Add("flaky"); return fail ? throw new InvalidOperationException("down") : ConformanceSupport.Logs("flaky"); })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "ok")
            .AddEdge("a", "flaky")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread() with { Durability = Durability.Exit };

        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState(), config).AsTask());
        fail = false;
        var final = await app.InvokeAsync((DemoState?)null, config);

        Assert.Equal(["a", "ok", "flaky"], final.Log);
        Assert.Equal(["a", "ok", "flaky", "flaky"], ran.ToArray());
    }

    [Fact]
    public async Task Sends_and_joins_survive_a_resume()
    {
        var fail = true;
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<string>("work", (item, c) => ValueTask.FromResult<StateUpdate<DemoState>?>(
                item == "bad" && fail ? throw new InvalidOperationException("down") : ConformanceSupport.Logs("w:" + item)))
            .AddNode("other", s => ConformanceSupport.Logs("other"))
            .AddNode("end", s => ConformanceSupport.Logs("end"))
            .AddEdge(Graph.Start, "plan")
            .AddEdge(Graph.Start, "other")
            .AddConditionalEdges("plan", s => new[] { new Send("work", "good"), new Send("work", "bad") }, ["work"])
            .AddEdge(["work", "other"], "end")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState(), config).AsTask());
        Assert.Equal(["work", "work"], (await app.GetStateAsync(config)).Next);
        fail = false;
        var final = await app.InvokeAsync((DemoState?)null, config);

        Assert.Equal(["other", "w:good", "w:bad", "end"], final.Log);
    }

    [Fact]
    public async Task The_in_memory_checkpointer_lists_and_deletes_threads()
    {
        var store = new InMemoryCheckpointer();
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });
        await app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "t2" });
        await app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "t1" });

        Assert.Equal(["t1", "t2"], await store.ListThreadsAsync().ToListAsync());
        await store.DeleteThreadAsync("t1");
        Assert.Equal(["t2"], await store.ListThreadsAsync().ToListAsync());
        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => app.GetStateAsync(new RunConfig { ThreadId = "t1" }).AsTask());
    }

    [Fact]
    public async Task Pending_writes_are_idempotent_per_task_and_index()
    {
        var store = new InMemoryCheckpointer();
        var checkpoint = new Checkpoint { ThreadId = "t", Id = "1" };
        await store.PutAsync(checkpoint, []);
        await store.PutWritesAsync("t", "", "1", [new PendingWrite("task", 0, PendingWriteKind.Goto, "x", null)]);
        await store.PutWritesAsync("t", "", "1", [new PendingWrite("task", 0, PendingWriteKind.Goto, "y", null), new PendingWrite("task", 1, PendingWriteKind.Done, null, null)]);

        var tuple = await store.GetAsync("t", "", null);

        Assert.Equal(["y", null], tuple!.PendingWrites.Select(w => w.Text));
    }
}
