using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §1: state snapshots, partial updates, reducers and the order writes are folded in.</summary>
public sealed class StateAndReducerTests
{
    [Fact]
    public async Task Every_node_of_a_superstep_reads_the_same_snapshot_and_not_its_siblings_writes()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("writer", s => new DemoState.Update { Query = "changed", Count = 5 })
            .AddNode("reader", s =>
            {
                seen.Add($"{s.Query}/{s.Count}");
                return null;
            })
            .AddNode("after", s =>
            {
                seen.Add($"after:{s.Query}/{s.Count}");
                return null;
            })
            .AddEdge(Graph.Start, "writer")
            .AddEdge(Graph.Start, "reader")
            .AddEdge("reader", "after")
            .Compile();

        await app.InvokeAsync(new DemoState { Query = "input", Count = 1 });

        Assert.Equal(["input/1", "after:changed/6"], seen.ToArray());
    }

    [Fact]
    public async Task A_node_writes_only_the_fields_it_sets()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("count", s => new DemoState.Update { Count = 2 })
            .AddEdge(Graph.Start, "count")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "kept", Log = ["kept"], Count = 1 });

        Assert.Equal("kept", final.Query);
        Assert.Equal(["kept"], final.Log);
        Assert.Equal(3, final.Count);
    }

    [Fact]
    public async Task A_node_may_return_no_update_and_the_run_goes_on()
    {
        var input = new DemoState { Query = "q", Log = ["x"] };
        var app = new StateGraph<DemoState>()
            .AddNode("silent", s => null)
            .AddNode("next", s => Logs("next"))
            .AddEdge(Graph.Start, "silent")
            .AddEdge("silent", "next")
            .Compile();

        var final = await app.InvokeAsync(input);

        Assert.Equal(["x", "next"], final.Log);
        Assert.Equal("q", final.Query);
    }

    [Fact]
    public async Task Reducer_fields_start_at_the_state_default_never_null()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("add", s => new DemoState.Update { Log = [$"had {s.Log.Count}"], Count = 3 })
            .AddEdge(Graph.Start, "add")
            .Compile();

        var fromDefault = await app.InvokeAsync(new DemoState());
        var fromCommand = await app.InvokeAsync(new Command<DemoState>());

        Assert.Equal(["had 0"], fromDefault.Log);
        Assert.Equal(3, fromDefault.Count);
        Assert.Equal(["had 0"], fromCommand.Log);
    }

    [Fact]
    public async Task Two_parallel_writes_to_a_Replace_field_fail_naming_the_field_both_nodes_and_the_superstep()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("first", s => null)
            .AddNode("left", s => new DemoState.Update { Query = "from left" })
            .AddNode("right", s => new DemoState.Update { Query = "from right" })
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "left")
            .AddEdge("first", "right")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidUpdateException>(
            () => app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "conflict-thread" }).AsTask());

        Assert.Equal("Query", error.Field);
        Assert.Equal(["left", "right"], error.Nodes);
        Assert.Equal(2, error.Step);
        Assert.Equal("conflict-thread", error.ThreadId);
        Assert.Contains("'Query'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'left'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'right'", error.Message, StringComparison.Ordinal);
        Assert.Contains("superstep 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("conflict-thread", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_to_a_Replace_field_in_different_supersteps_are_fine()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => new DemoState.Update { Query = "a" })
            .AddNode("b", s => new DemoState.Update { Query = s.Query + "b" })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "input" });

        Assert.Equal("ab", final.Query);
    }

    [Fact]
    public async Task Reducer_order_is_declaration_order_whatever_the_completion_order()
    {
        // "first" is declared first but finishes last: it waits until both siblings' updates have been streamed.
        var release = NewSignal();
        NodeHandler<DemoState> first = async (s, c) =>
        {
            await release.Task.WaitAsync(c.CancellationToken);
            return Logs("first");
        };
        NodeHandler<DemoState> second = async (s, c) =>
        {
            await Task.Yield();
            return Logs("second");
        };
        NodeHandler<DemoState> third = async (s, c) =>
        {
            await Task.Yield();
            return Logs("third");
        };
        var app = new StateGraph<DemoState>()
            .AddNode("first", first)
            .AddNode("second", second)
            .AddNode("third", third)
            .AddEdge(Graph.Start, "first")
            .AddEdge(Graph.Start, "second")
            .AddEdge(Graph.Start, "third")
            .Compile();

        var completed = new List<string>();
        DemoState? final = null;
        await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Values))
        {
            if (e is UpdateEvent<DemoState> update)
            {
                completed.Add(update.Node);
                if (completed.Count == 2)
                {
                    release.SetResult();
                }
            }
            else if (e is ValuesEvent<DemoState> values)
            {
                final = values.State;
            }
        }

        Assert.Equal("first", completed[^1]);
        Assert.Equal(["first", "second", "third"], final!.Log);
    }

    [Fact]
    public async Task Sum_folds_every_write_of_a_superstep()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => new DemoState.Update { Count = 1 })
            .AddNode("b", s => new DemoState.Update { Count = 10 })
            .AddNode("c", s => new DemoState.Update { Count = 100 })
            .AddEdge(Graph.Start, "a")
            .AddEdge(Graph.Start, "b")
            .AddEdge(Graph.Start, "c")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Count = 1000 });

        Assert.Equal(1111, final.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_Overwrite_replaces_the_field_and_ignores_its_other_writes_in_that_superstep(bool overwriterDeclaredFirst)
    {
        var graph = new StateGraph<DemoState>();
        void AddOverwriter() => graph.AddNode("reset", s => new DemoState.Update { OverwriteLog = ["reset"], OverwriteCount = 7 });
        void AddAppender() => graph.AddNode("append", s => new DemoState.Update { Log = ["appended"], Count = 100 });
        if (overwriterDeclaredFirst)
        {
            AddOverwriter();
            AddAppender();
        }
        else
        {
            AddAppender();
            AddOverwriter();
        }

        var app = graph
            .AddEdge(Graph.Start, "reset")
            .AddEdge(Graph.Start, "append")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Log = ["old"], Count = 1 });

        Assert.Equal(["reset"], final.Log);
        Assert.Equal(7, final.Count);
    }

    [Fact]
    public async Task Writes_after_an_Overwrite_superstep_reduce_into_the_new_value()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("reset", s => new DemoState.Update { OverwriteLog = ["reset"] })
            .AddNode("more", s => Logs("more"))
            .AddEdge(Graph.Start, "reset")
            .AddEdge("reset", "more")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Log = ["old"] });

        Assert.Equal(["reset", "more"], final.Log);
    }

    [Fact]
    public async Task Two_Overwrites_of_one_field_in_one_superstep_fail_naming_the_field_and_nodes()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("one", s => new DemoState.Update { OverwriteCount = 1 })
            .AddNode("two", s => new DemoState.Update { OverwriteCount = 2 })
            .AddEdge(Graph.Start, "one")
            .AddEdge(Graph.Start, "two")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidUpdateException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal("Count", error.Field);
        Assert.Equal(["one", "two"], error.Nodes);
        Assert.Equal(1, error.Step);
        Assert.Contains("superstep 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_writes_from_one_node_through_a_Command_fold_in_order()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("many", s => new Command<DemoState>
            {
                Update = new DemoState.Update { Log = ["1"], Count = 1 },
                Updates = [Logs("2"), new DemoState.Update { Log = ["3"], Count = 2 }],
            })
            .AddNode("sibling", s => Logs("sibling"))
            .AddEdge(Graph.Start, "many")
            .AddEdge(Graph.Start, "sibling")
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        Assert.Equal(["1", "2", "3", "sibling"], final.Log);
        Assert.Equal(3, final.Count);
    }

    [Fact]
    public async Task An_Overwrite_among_a_Commands_updates_discards_the_fields_other_writes_that_superstep()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("many", s => new Command<DemoState>
            {
                Update = Logs("before"),
                Updates = [new DemoState.Update { OverwriteLog = ["only"] }, Logs("after")],
            })
            .AddEdge(Graph.Start, "many")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Log = ["old"] });

        Assert.Equal(["only"], final.Log);
    }
}
