using DashFlow.Persistence;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Semantics §6 with a checkpointer: subgraph namespaces, interrupts that bubble up and resume, kept state.</summary>
public sealed class SubgraphPersistenceTests
{
    private readonly InMemoryCheckpointer _store = new();

    [Fact]
    public async Task An_interrupt_inside_a_subgraph_stops_the_parent_and_the_answer_resumes_the_subgraph()
    {
        var runs = new Journal<string>();
        var child = new StateGraph<ChildState>("child")
            .AddNode("draft", s =>
            {
                runs.Add("draft");
                return new ChildState.Update { Log = ["draft"] };
            })
            .AddNode("review", (s, c) =>
            {
                runs.Add("review");
                var verdict = c.Interrupt<string>("approve the draft?");
                return new(new ChildState.Update { Log = [verdict] });
            })
            .AddEdge(Graph.Start, "draft")
            .AddEdge("draft", "review")
            .Compile();
        var parent = ParentWith(child, runs);
        var config = Thread();

        var stopped = await parent.InvokeAsync(new DemoState { Query = "q" }, config);

        Assert.Empty(stopped.Log);
        var state = await parent.GetStateAsync(config);
        var interrupt = Assert.Single(state.Interrupts);
        Assert.Equal("sub", interrupt.Node);
        Assert.Equal("approve the draft?", interrupt.Value);
        Assert.Equal(["sub"], state.Next);

        // The subgraph's checkpoints live under the task's namespace of the parent's thread.
        var childCheckpoints = await _store.ListAsync(config.ThreadId!, "sub:1.0").ToListAsync();
        Assert.NotEmpty(childCheckpoints);

        // The subgraph reads them itself, with the parent's store and the namespace: its own values and question.
        var inner = await child.GetStateAsync(config with { Checkpointer = _store, CheckpointNamespace = "sub:1.0" });
        Assert.Equal(["draft"], inner.Values.Log);
        Assert.Equal(["review"], inner.Next);
        Assert.Equal("approve the draft?", Assert.Single(inner.Interrupts).Value);
        Assert.Equal("sub:1.0", inner.Config.CheckpointNamespace);
        var innerHistory = await child.GetStateHistoryAsync(config with { Checkpointer = _store, CheckpointNamespace = "sub:1.0" }).ToListAsync();
        Assert.Equal(childCheckpoints.Select(c => c.Checkpoint.Id), innerHistory.Select(h => h.Checkpoint.Id));
        var wrong = await Assert.ThrowsAsync<CheckpointNotFoundException>(async () => await child.GetStateAsync(config with { Checkpointer = _store, CheckpointNamespace = "sub:9.0" }));
        Assert.Contains("namespace 'sub:9.0'", wrong.Message, StringComparison.Ordinal);
        var run = await Assert.ThrowsAsync<ArgumentException>(async () => await child.InvokeAsync((ChildState?)null, config with { Checkpointer = _store, CheckpointNamespace = "sub:1.0" }));
        Assert.Contains("'sub:1.0'", run.Message, StringComparison.Ordinal);

        var final = await parent.InvokeAsync(new Command<DemoState> { Resume = "approved" }, config);

        Assert.Equal(["draft", "approved", "after"], final.Log);
        // The subgraph's node before the interrupt ran once; the interrupted one ran again with the answer.
        Assert.Equal(["draft", "review", "review", "after"], runs.ToArray());
        Assert.Empty((await parent.GetStateAsync(config)).Next);
    }

    [Fact]
    public async Task A_subgraph_node_interrupting_twice_is_answered_twice_through_the_parent()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("ask", (s, c) =>
            {
                var name = c.Interrupt<string>("name?");
                var city = c.Interrupt<string>("city?");
                return new(new ChildState.Update { Log = [name, city] });
            })
            .AddEdge(Graph.Start, "ask")
            .Compile();
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();

        await parent.InvokeAsync(new DemoState(), config);
        Assert.Equal("name?", Assert.Single((await parent.GetStateAsync(config)).Interrupts).Value);
        await parent.InvokeAsync(new Command<DemoState> { Resume = "Ada" }, config);
        Assert.Equal("city?", Assert.Single((await parent.GetStateAsync(config)).Interrupts).Value);

        var final = await parent.InvokeAsync(new Command<DemoState> { Resume = "London" }, config);

        Assert.Equal(["Ada", "London", "after"], final.Log);
    }

    [Fact]
    public async Task Resuming_the_parent_without_an_answer_leaves_the_subgraph_waiting_on_the_same_question()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("ask", (s, c) => new(new ChildState.Update { Log = [c.Interrupt<string>("name?")] }))
            .AddEdge(Graph.Start, "ask")
            .Compile();
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();
        await parent.InvokeAsync(new DemoState(), config);
        var before = Assert.Single((await parent.GetStateAsync(config)).Interrupts);

        await parent.InvokeAsync((DemoState?)null, config);

        var after = Assert.Single((await parent.GetStateAsync(config)).Interrupts);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("name?", after.Value);
        var final = await parent.InvokeAsync(new Command<DemoState> { Resume = "Ada" }, config);
        Assert.Equal(["Ada", "after"], final.Log);
    }

    [Fact]
    public async Task A_failure_inside_a_subgraph_is_resumed_without_re_running_its_finished_nodes()
    {
        var runs = new Journal<string>();
        var fail = true;
        var child = new StateGraph<ChildState>("child")
            .AddNode("first", s =>
            {
                runs.Add("first");
                return new ChildState.Update { Log = ["first"] };
            })
            .AddNode("flaky", s =>
            {
                runs.Add("flaky");
                return fail ? throw new InvalidOperationException("flaky failed") : new ChildState.Update { Log = ["flaky"] };
            })
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "flaky")
            .Compile();
        var parent = ParentWith(child, runs);
        var config = Thread();

        await Assert.ThrowsAsync<NodeFailedException>(async () => await parent.InvokeAsync(new DemoState(), config));
        fail = false;
        var final = await parent.InvokeAsync((DemoState?)null, config);

        Assert.Equal(["first", "flaky", "after"], final.Log);
        Assert.Equal(["first", "flaky", "flaky", "after"], runs.ToArray());
    }

    [Fact]
    public async Task An_interrupt_two_subgraphs_deep_resumes_through_both_namespaces()
    {
        var inner = new StateGraph<ChildState>("inner")
            .AddNode("ask", (s, c) => new(new ChildState.Update { Log = [c.Interrupt<string>("deep?")] }))
            .AddEdge(Graph.Start, "ask")
            .Compile();
        var middle = new StateGraph<ChildState>("middle")
            .AddSubgraph("inner", inner)
            .AddEdge(Graph.Start, "inner")
            .Compile();
        var parent = ParentWith(middle, new Journal<string>());
        var config = Thread();

        await parent.InvokeAsync(new DemoState(), config);

        Assert.Equal("deep?", Assert.Single((await parent.GetStateAsync(config)).Interrupts).Value);
        Assert.NotEmpty(await _store.ListAsync(config.ThreadId!, "sub:1.0|inner:1.0").ToListAsync());
        var final = await parent.InvokeAsync(new Command<DemoState> { Resume = "found" }, config);
        Assert.Equal(["found", "after"], final.Log);
    }

    [Fact]
    public async Task A_subgraph_that_keeps_its_state_carries_its_own_fields_across_parent_runs()
    {
        var seen = new Journal<string>();
        var child = new StateGraph<ChildState>("memory")
            .AddNode("remember", s =>
            {
                seen.Add($"{s.Query}|{s.Notes}");
                return new ChildState.Update { Notes = s.Notes + s.Query + ";" };
            })
            .AddEdge(Graph.Start, "remember")
            .Compile(new CompileOptions { KeepStateAcrossRuns = true });
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();

        await parent.InvokeAsync(new DemoState { Query = "a" }, config);
        await parent.InvokeAsync(new DemoState { Query = "b" }, config);
        await parent.InvokeAsync(new DemoState { Query = "c" }, Thread("another thread"));

        // Its own field (Notes) carried over on the thread; the shared one (Query) came from each parent run; another
        // thread starts afresh.
        Assert.Equal(["a|", "b|a;", "c|"], seen.ToArray());
        Assert.NotEmpty(await _store.ListAsync(config.ThreadId!, "sub").ToListAsync());
    }

    [Fact]
    public async Task A_subgraph_that_does_not_keep_its_state_starts_afresh_at_every_parent_run()
    {
        var seen = new Journal<string>();
        var child = new StateGraph<ChildState>("fresh")
            .AddNode("remember", s =>
            {
                seen.Add($"{s.Query}|{s.Notes}");
                return new ChildState.Update { Notes = s.Notes + s.Query + ";" };
            })
            .AddEdge(Graph.Start, "remember")
            .Compile();
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();

        await parent.InvokeAsync(new DemoState { Query = "a" }, config);
        await parent.InvokeAsync(new DemoState { Query = "b" }, config);

        Assert.Equal(["a|", "b|"], seen.ToArray());
    }

    [Fact]
    public async Task A_checkpointed_subgraphs_streamed_events_carry_its_checkpoint_namespace()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("ask", (s, c) => new(new ChildState.Update { Log = [c.Interrupt<string>("name?")] }))
            .AddEdge(Graph.Start, "ask")
            .Compile();
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();

        var first = await parent.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Subgraphs, config).CollectAsync();
        var second = await parent.StreamAsync(new Command<DemoState> { Resume = "Ada" }, StreamMode.Updates | StreamMode.Subgraphs, config).CollectAsync();

        var interrupts = first.OfType<InterruptEvent>().Select(e => $"[{e.Namespace}] {e.Interrupt.Node}:{e.Interrupt.Value}");
        Assert.Equal(["[sub:1.0] ask:name?", "[] sub:name?"], interrupts);
        var updates = second.Select(e => e is UpdateEvent<ChildState> c ? $"[{c.Namespace}] {c.Node}" : e is UpdateEvent<DemoState> p ? $"[{p.Namespace}] {p.Node}" : "");
        Assert.Equal(["[sub:1.0] ask", "[] sub", "[] after"], updates);
    }

    [Fact]
    public async Task Several_pending_interrupts_in_a_subgraph_surface_as_one_list_and_are_answered_by_id()
    {
        var child = new StateGraph<ChildState>("child")
            .AddNode("name", (s, c) => new(new ChildState.Update { Log = ["name=" + c.Interrupt<string>("name?")] }))
            .AddNode("city", (s, c) => new(new ChildState.Update { Log = ["city=" + c.Interrupt<string>("city?")] }))
            .AddEdge(Graph.Start, "name")
            .AddEdge(Graph.Start, "city")
            .Compile();
        var parent = ParentWith(child, new Journal<string>());
        var config = Thread();

        var stopped = await parent.InvokeForResultAsync(new DemoState(), config);

        var inner = Assert.IsType<List<InterruptInfo>>(Assert.Single(stopped.Interrupts).Value);
        Assert.Equal(["name?", "city?"], inner.Select(i => i.Value));
        var answers = new Dictionary<string, object?> { [inner[0].Id] = "Ada", [inner[1].Id] = "London" };
        var final = await parent.InvokeAsync(new Command<DemoState> { Resume = answers }, config);

        Assert.Equal(["name=Ada", "city=London", "after"], final.Log);
    }

    /// <summary>A parent that runs <paramref name="child"/> as node "sub", then "after".</summary>
    private CompiledGraph<DemoState> ParentWith(CompiledGraph<ChildState> child, Journal<string> runs) =>
        new StateGraph<DemoState>("parent")
            .AddSubgraph("sub", child)
            .AddNode("after", s =>
            {
                runs.Add("after");
                return new DemoState.Update { Log = ["after"] };
            })
            .AddEdge(Graph.Start, "sub")
            .AddEdge("sub", "after")
            .Compile(new CompileOptions { Checkpointer = _store });
}
