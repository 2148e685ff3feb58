using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §2: the input step, edges, fan-out, joins, conditional edges, deferred nodes and when a run ends.</summary>
public sealed class TriggeringTests
{
    /// <summary>A node that records "name@step" and writes nothing.</summary>
    private static NodeHandler<DemoState> Record(Journal<string> journal, string name) => (s, c) =>
    {
        journal.Add($"{name}@{c.Step}");
        return default;
    };

    [Fact]
    public async Task The_input_is_the_snapshot_the_first_superstep_reads()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("entry", (s, c) =>
            {
                seen.Add($"{s.Query}@{c.Step}");
                return default;
            })
            .AddEdge(Graph.Start, "entry")
            .Compile();

        await app.InvokeAsync(new DemoState { Query = "input" });

        Assert.Equal(["input@1"], seen.ToArray());
    }

    [Fact]
    public async Task An_edge_triggers_its_target_in_the_next_superstep_which_sees_the_sources_writes()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", (s, c) => new(Logs($"a@{c.Step}")))
            .AddNode("b", (s, c) =>
            {
                seen.Add($"b@{c.Step} saw [{string.Join(",", s.Log)}]");
                return default;
            })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["b@2 saw [a@1]"], seen.ToArray());
    }

    [Fact]
    public async Task Several_edges_from_one_node_fan_out_into_one_superstep()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", Record(journal, "a"))
            .AddNode("b", Record(journal, "b"))
            .AddNode("c", Record(journal, "c"))
            .AddNode("d", Record(journal, "d"))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .AddEdge("a", "c")
            .AddEdge("a", "d")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["a@1", "b@2", "c@2", "d@2"], journal.ToArray());
    }

    [Fact]
    public async Task Several_triggers_of_one_node_in_a_superstep_run_it_once()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", Record(journal, "a"))
            .AddNode("b", Record(journal, "b"))
            .AddNode("c", Record(journal, "c"))
            .AddNode("d", Record(journal, "d"))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .AddEdge("a", "c")
            .AddEdge("b", "d")
            .AddEdge("c", "d")
            .AddConditionalEdges("a", s => ["d", "d"], ["d"], "twice")
            .Compile();

        await app.InvokeAsync(new DemoState());

        // d is triggered by the router in superstep 1 (twice) and by b and c in superstep 2: once per superstep.
        Assert.Equal(["a@1", "b@2", "c@2", "d@2", "d@3"], journal.ToArray());
    }

    [Fact]
    public async Task A_join_waits_for_the_slower_branch_and_runs_once()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("fast", Record(journal, "fast"))
            .AddNode("slow1", Record(journal, "slow1"))
            .AddNode("slow2", Record(journal, "slow2"))
            .AddNode("join", Record(journal, "join"))
            .AddEdge(Graph.Start, "fast")
            .AddEdge(Graph.Start, "slow1")
            .AddEdge("slow1", "slow2")
            .AddEdge(["fast", "slow2"], "join")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["fast@1", "slow1@1", "slow2@2", "join@3"], journal.ToArray());
    }

    [Fact]
    public async Task A_join_sees_the_writes_of_every_branch()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("left", s => Logs("left"))
            .AddNode("right1", s => Logs("right1"))
            .AddNode("right2", s => Logs("right2"))
            .AddNode("join", s => Logs($"join saw {s.Log.Count}"))
            .AddEdge(Graph.Start, "left")
            .AddEdge(Graph.Start, "right1")
            .AddEdge("right1", "right2")
            .AddEdge(["left", "right2"], "join")
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        Assert.Equal(["left", "right1", "right2", "join saw 3"], final.Log);
    }

    [Fact]
    public async Task A_join_plus_a_plain_edge_into_the_same_node_runs_it_on_each_trigger()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("fast", Record(journal, "fast"))
            .AddNode("slow1", Record(journal, "slow1"))
            .AddNode("slow2", Record(journal, "slow2"))
            .AddNode("target", Record(journal, "target"))
            .AddEdge(Graph.Start, "fast")
            .AddEdge(Graph.Start, "slow1")
            .AddEdge("slow1", "slow2")
            .AddEdge("fast", "target")
            .AddEdge(["fast", "slow2"], "target")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["fast@1", "slow1@1", "slow2@2", "target@2", "target@3"], journal.ToArray());
    }

    [Fact]
    public async Task A_join_and_a_plain_edge_firing_in_the_same_superstep_run_the_node_once()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", Record(journal, "a"))
            .AddNode("b", Record(journal, "b"))
            .AddNode("target", Record(journal, "target"))
            .AddEdge(Graph.Start, "a")
            .AddEdge(Graph.Start, "b")
            .AddEdge("a", "target")
            .AddEdge(["a", "b"], "target")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["a@1", "b@1", "target@2"], journal.ToArray());
    }

    [Fact]
    public async Task A_join_re_arms_after_it_fires_when_a_loop_comes_back_through_it()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", Record(journal, "a"))
            .AddNode("b", Record(journal, "b"))
            .AddNode("join", (s, c) =>
            {
                journal.Add($"join@{c.Step}");
                return new(new DemoState.Update { Count = 1 });
            })
            .AddEdge(Graph.Start, "a")
            .AddEdge(Graph.Start, "b")
            .AddEdge(["a", "b"], "join")

            // Twice around the loop through both branches; the third time only through "a", which must not fire the join.
            .AddConditionalEdges("join", s => s.Count < 3 ? ["a", "b"] : ["a"], ["a", "b"], "again")
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        Assert.Equal(["a@1", "b@1", "join@2", "a@3", "b@3", "join@4", "a@5", "b@5", "join@6", "a@7"], journal.ToArray());
        Assert.Equal(3, final.Count);
    }

    [Fact]
    public async Task A_conditional_edge_triggers_the_target_its_router_returns()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("decide", Record(journal, "decide"))
            .AddNode("yes", Record(journal, "yes"))
            .AddNode("no", Record(journal, "no"))
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges("decide", s => s.Query == "y" ? "yes" : "no", ["yes", "no"])
            .Compile();

        await app.InvokeAsync(new DemoState { Query = "y" });
        await app.InvokeAsync(new DemoState { Query = "n" });

        Assert.Equal(["decide@1", "yes@2", "decide@1", "no@2"], journal.ToArray());
    }

    [Fact]
    public async Task A_router_may_return_several_targets_or_End()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("decide", Record(journal, "decide"))
            .AddNode("x", Record(journal, "x"))
            .AddNode("y", Record(journal, "y"))
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges("decide", s => s.Query == "both" ? ["x", "y"] : [Graph.End], ["x", "y", Graph.End])
            .Compile();

        await app.InvokeAsync(new DemoState { Query = "both" });
        await app.InvokeAsync(new DemoState { Query = "none" });

        Assert.Equal(["decide@1", "x@2", "y@2", "decide@1"], journal.ToArray());
    }

    [Fact]
    public async Task A_router_on_Start_picks_the_entry_node_from_the_input()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("x", Record(journal, "x"))
            .AddNode("y", Record(journal, "y"))
            .AddConditionalEdges(Graph.Start, s => s.Query, ["x", "y"])
            .Compile();

        await app.InvokeAsync(new DemoState { Query = "y" });

        Assert.Equal(["y@1"], journal.ToArray());
    }

    [Fact]
    public async Task A_router_sees_its_own_nodes_update_but_not_its_siblings()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("mine", s => new DemoState.Update { Log = ["mine"], Count = 1 })
            .AddNode("sibling", s => new DemoState.Update { Log = ["sibling"], Count = 100, Query = "sibling" })
            .AddNode("next", s => null)
            .AddEdge(Graph.Start, "mine")
            .AddEdge(Graph.Start, "sibling")
            .AddConditionalEdges(
                "mine",
                s =>
                {
                    seen.Add($"{s.Query}|{string.Join(",", s.Log)}|{s.Count}");
                    return "next";
                },
                ["next"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "input", Log = ["input"], Count = 10 });

        Assert.Equal(["input|input,mine|11"], seen.ToArray());
        Assert.Equal(111, final.Count);
    }

    [Fact]
    public async Task A_router_after_a_node_that_wrote_nothing_sees_the_snapshot()
    {
        var seen = new Journal<int>();
        var app = new StateGraph<DemoState>()
            .AddNode("quiet", s => null)
            .AddNode("loud", s => new DemoState.Update { Count = 100 })
            .AddEdge(Graph.Start, "quiet")
            .AddEdge(Graph.Start, "loud")
            .AddConditionalEdges(
                "quiet",
                s =>
                {
                    seen.Add(s.Count);
                    return Graph.End;
                },
                [Graph.End])
            .Compile();

        await app.InvokeAsync(new DemoState { Count = 5 });

        Assert.Equal([5], seen.ToArray());
    }

    [Fact]
    public async Task A_router_returning_an_undeclared_target_fails_naming_the_router_and_the_value()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("decide", s => null)
            .AddNode("x", s => null)
            .AddNode("y", s => null)
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges("decide", s => "y", ["x"], "picker")
            .AddEdge("x", "y")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(
            () => app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "route-thread" }).AsTask());

        Assert.Equal("picker", error.Router);
        Assert.Equal("y", error.Value);
        Assert.Equal(["x"], error.DeclaredTargets);
        Assert.Equal(1, error.Step);
        Assert.Equal("route-thread", error.ThreadId);
        Assert.Contains("'picker'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'y'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_returning_an_unknown_node_fails_naming_the_router_and_the_name()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("decide", s => null)
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges("decide", s => "nowhere", name: "picker")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal("picker", error.Router);
        Assert.Equal("nowhere", error.Value);
        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'picker'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_returning_Start_fails()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("decide", s => null)
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges("decide", s => Graph.Start, name: "picker")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal(Graph.Start, error.Value);
    }

    [Fact]
    public async Task End_triggers_nothing_and_a_run_finishes_when_a_superstep_triggers_no_node()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("a", Record(journal, "a"))
            .AddNode("b", Record(journal, "b"))
            .AddNode("deadEnd", Record(journal, "deadEnd"))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", Graph.End)
            .AddEdge("a", "b")
            .AddEdge("b", "deadEnd")
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["a@1", "b@2", "deadEnd@3"], journal.ToArray());
    }

    [Fact]
    public async Task A_deferred_node_runs_once_after_branches_of_different_lengths()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("fork", Record(journal, "fork"))
            .AddNode("short", Record(journal, "short"))
            .AddNode("long1", Record(journal, "long1"))
            .AddNode("long2", Record(journal, "long2"))
            .AddNode("long3", Record(journal, "long3"))
            .AddNode("collect", (s, c) =>
            {
                journal.Add($"collect@{c.Step}");
                return new(Logs($"collect saw {s.Log.Count}"));
            }, new NodeOptions { Defer = true })
            .AddEdge(Graph.Start, "fork")
            .AddEdge("fork", "short")
            .AddEdge("fork", "long1")
            .AddEdge("long1", "long2")
            .AddEdge("long2", "long3")
            .AddEdge("short", "collect")
            .AddEdge("long1", "collect")
            .AddEdge("long3", "collect")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Log = ["a", "b"] });

        Assert.Equal(["fork@1", "short@2", "long1@2", "long2@3", "long3@4", "collect@5"], journal.ToArray());
        Assert.Equal(["a", "b", "collect saw 2"], final.Log);
    }

    [Fact]
    public async Task A_deferred_node_waits_while_Sends_are_pending()
    {
        var journal = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("fork", Record(journal, "fork"))
            .AddNode("collect", Record(journal, "collect"), new NodeOptions { Defer = true })
            .AddNode<int>("worker", n =>
            {
                journal.Add($"worker{n}");
                return null;
            })
            .AddNode("spawn", Record(journal, "spawn"))
            .AddEdge(Graph.Start, "fork")
            .AddEdge("fork", "collect")
            .AddEdge("fork", "spawn")
            .AddConditionalEdges("spawn", s => new[] { new Send("worker", 1), new Send("worker", 2) }, ["worker"])
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["fork@1", "spawn@2", "worker1", "worker2", "collect@4"], journal.ToArray());
    }
}
