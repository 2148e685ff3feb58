using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Subgraphs as nodes: how a child's state maps from and back to its parent's (shared fields or explicit).</summary>
public sealed class SubgraphTests
{
    [Fact]
    public async Task A_subgraph_reads_the_shared_fields_and_hands_back_only_what_it_changed()
    {
        var seen = new Journal<string>();
        var child = new StateGraph<ChildState>("child")
            .AddNode("c1", s =>
            {
                seen.Add($"{s.Query}|{string.Join(",", s.Log)}|{s.Count}|{s.Notes}");
                return new ChildState.Update { Log = ["c1"], Count = 5, Notes = "child only" };
            })
            .AddNode("c2", s => new ChildState.Update { Log = ["c2"], Query = s.Query + "+child" })
            .AddEdge(Graph.Start, "c1")
            .AddEdge("c1", "c2")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddNode("prep", s => new DemoState.Update { Log = ["p1"], Count = 1 })
            .AddSubgraph("sub", child)
            .AddNode("sibling", s => Logs("sibling"))
            .AddEdge(Graph.Start, "prep")
            .AddEdge("prep", "sub")
            .AddEdge("prep", "sibling")
            .Compile();

        var final = await parent.InvokeAsync(new DemoState { Query = "q", Log = ["input"] });

        // The child saw the parent's shared fields; its own field started at its default.
        Assert.Equal(["q|input,p1|1|"], seen.ToArray());

        // Append: only the child's new items, reduced in declaration order next to the sibling's; Sum: the difference;
        // Replace: the changed value.
        Assert.Equal(["input", "p1", "c1", "c2", "sibling"], final.Log);
        Assert.Equal(6, final.Count);
        Assert.Equal("q+child", final.Query);
    }

    [Fact]
    public async Task A_shared_Replace_field_the_subgraph_did_not_change_is_not_written()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("c", s => new ChildState.Update { Log = ["c"] })
            .AddEdge(Graph.Start, "c")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddSubgraph("sub", child)
            .AddNode("writer", s => new DemoState.Update { Query = "writer" })
            .AddEdge(Graph.Start, "sub")
            .AddEdge(Graph.Start, "writer")
            .Compile();

        var final = await parent.InvokeAsync(new DemoState { Query = "q" });

        Assert.Equal("writer", final.Query);
        Assert.Equal(["c"], final.Log);
    }

    [Fact]
    public async Task A_subgraph_that_changes_nothing_reports_no_update()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("noop", s => new ChildState.Update { Notes = "not shared" })
            .AddEdge(Graph.Start, "noop")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddSubgraph("sub", child)
            .AddEdge(Graph.Start, "sub")
            .Compile();

        var events = await parent.StreamAsync(new DemoState { Query = "q", Log = ["x"] }).CollectAsync();

        var update = Assert.IsType<UpdateEvent<DemoState>>(Assert.Single(events));
        Assert.Equal("sub", update.Node);
        Assert.Null(update.Update);
    }

    [Fact]
    public async Task A_subgraph_with_an_explicit_mapping_uses_it_both_ways()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("shout", s => new ChildState.Update { Notes = s.Notes.ToUpperInvariant() + "!" })
            .AddEdge(Graph.Start, "shout")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddSubgraph(
                "sub",
                child,
                input: p => new ChildState { Notes = p.Query },
                output: (input, result) => new DemoState.Update { Log = [$"{input.Notes} -> {result.Notes}"] })
            .AddEdge(Graph.Start, "sub")
            .Compile();

        var final = await parent.InvokeAsync(new DemoState { Query = "hello" });

        Assert.Equal(["hello -> HELLO!"], final.Log);
        Assert.Equal("hello", final.Query);
    }

    [Fact]
    public async Task A_subgraph_node_runs_on_the_parents_superstep_and_its_successors_see_its_update()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("c", s => new ChildState.Update { Count = 10 })
            .AddEdge(Graph.Start, "c")
            .Compile();
        var seen = new Journal<string>();
        var parent = new StateGraph<DemoState>()
            .AddSubgraph("sub", child)
            .AddNode("after", (s, c) =>
            {
                seen.Add($"after@{c.Step} saw {s.Count}");
                return default;
            })
            .AddEdge(Graph.Start, "sub")
            .AddEdge("sub", "after")
            .Compile();

        await parent.InvokeAsync(new DemoState { Count = 1 });

        Assert.Equal(["after@2 saw 11"], seen.ToArray());
    }

    [Fact]
    public async Task A_failing_subgraph_fails_the_parent_run_naming_the_subgraph_node_with_the_childs_error_inside()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("inner", s => throw new InvalidOperationException("deep"))
            .AddEdge(Graph.Start, "inner")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddNode("first", s => null)
            .AddSubgraph("sub", child)
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "sub")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(
            () => parent.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "outer" }).AsTask());

        Assert.Equal("sub", error.Node);
        Assert.Equal(2, error.Step);
        Assert.Equal("outer", error.ThreadId);
        var inner = Assert.IsType<NodeFailedException>(error.InnerException);
        Assert.Equal("inner", inner.Node);
        Assert.Equal("deep", inner.InnerException!.Message);
    }

    [Fact]
    public async Task Cancelling_the_parent_run_cancels_the_subgraph()
    {
        using var cts = new CancellationTokenSource();
        var started = NewSignal();
        var observedCancellation = NewSignal();
        var child = new StateGraph<ChildState>("child")
            .AddNode("wait", (s, c) => WaitForCancellation(s, started, observedCancellation, c.CancellationToken))
            .AddEdge(Graph.Start, "wait")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddSubgraph("sub", child)
            .AddEdge(Graph.Start, "sub")
            .Compile();

        var run = parent.InvokeAsync(new DemoState(), null, cts.Token).AsTask();
        await started.Task.Within();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Within());
        Assert.True(observedCancellation.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task With_the_Subgraphs_mode_a_subgraphs_events_reach_the_parents_stream_with_their_namespace()
    {
        var inner = new StateGraph<ChildState>("inner")
            .AddNode("deep", s => new ChildState.Update { Log = ["deep"] })
            .AddEdge(Graph.Start, "deep")
            .Compile();
        var child = new StateGraph<ChildState>("child")
            .AddNode("c1", s => new ChildState.Update { Log = ["c1"] })
            .AddSubgraph("inner", inner)
            .AddEdge(Graph.Start, "c1")
            .AddEdge("c1", "inner")
            .Compile();
        var parent = new StateGraph<DemoState>()
            .AddNode("prep", s => Logs("prep"))
            .AddSubgraph("sub", child)
            .AddEdge(Graph.Start, "prep")
            .AddEdge("prep", "sub")
            .Compile();

        var plain = await parent.StreamAsync(new DemoState(), StreamMode.Updates).CollectAsync();
        var nested = await parent.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Subgraphs).CollectAsync();

        string Describe(GraphEvent e) => e is UpdateEvent<DemoState> p ? $"[{p.Namespace}] {p.Node}" : e is UpdateEvent<ChildState> c ? $"[{c.Namespace}] {c.Node}" : e.ToString();
        Assert.Equal(["[] prep", "[] sub"], plain.Select(Describe));
        Assert.Equal(["[] prep", "[sub:2.0] c1", "[sub:2.0|inner:2.0] deep", "[sub:2.0] inner", "[] sub"], nested.Select(Describe));
    }
}
