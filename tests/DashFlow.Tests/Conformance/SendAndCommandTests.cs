using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §2: Send (map-reduce) and Command, from a node and as run input.</summary>
public sealed class SendAndCommandTests
{
    [Fact]
    public async Task Each_Send_is_its_own_task_even_when_several_target_one_node()
    {
        var runs = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<string>("worker", (item, ct) =>
            {
                runs.Add(item);
                return ValueTask.FromResult<StateUpdate<DemoState>?>(new DemoState.Update { Count = 1 });
            })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => s.Log.Select(item => new Send("worker", item)), ["worker"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Log = ["x", "y", "x"] });

        Assert.Equal(3, final.Count);
        Assert.Equal(["x", "y", "x"], runs.ToArray());
    }

    [Fact]
    public async Task Send_writes_are_reduced_in_Send_order_whatever_the_completion_order()
    {
        // The first Send's task finishes last: it waits until the other two tasks' updates have been streamed.
        var release = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<int>("worker", async (n, ct) =>
            {
                if (n == 0)
                {
                    await release.Task.WaitAsync(ct);
                }
                else
                {
                    await Task.Yield();
                }

                return Logs($"item{n}");
            })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("worker", 0), new Send("worker", 1), new Send("worker", 2) }, ["worker"])
            .Compile();

        var finished = new List<string>();
        DemoState? final = null;
        await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Values))
        {
            if (e is UpdateEvent<DemoState> { Node: "worker" } update)
            {
                finished.Add(update.Update!.ToString());
                if (finished.Count == 2)
                {
                    release.SetResult();
                }
            }
            else if (e is ValuesEvent<DemoState> values)
            {
                final = values.State;
            }
        }

        Assert.Contains("item0", finished[^1], StringComparison.Ordinal);
        Assert.Equal(["item0", "item1", "item2"], final!.Log);
    }

    [Fact]
    public async Task Send_tasks_write_after_the_pull_tasks_of_their_superstep()
    {
        var app = new StateGraph<DemoState>()
            .AddNode<string>("worker", item => Logs(item))
            .AddNode("plan", s => null)
            .AddNode("pull", s => Logs("pull"))
            .AddEdge(Graph.Start, "plan")
            .AddEdge("plan", "pull")
            .AddConditionalEdges("plan", s => new[] { new Send("worker", "send1"), new Send("worker", "send2") }, ["worker"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        // "worker" is declared before "pull", yet its Send tasks write after the pull task.
        Assert.Equal(["pull", "send1", "send2"], final.Log);
    }

    [Fact]
    public async Task A_Send_passes_its_argument_to_a_node_taking_a_non_state_argument()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<int>("square", n => new DemoState.Update { Count = n * n })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("square", 2), new Send("square", 3) }, ["square"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        Assert.Equal(13, final.Count);
    }

    [Fact]
    public async Task A_Send_to_a_state_node_runs_it_on_the_sent_state_instead_of_the_snapshot()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode("work", s =>
            {
                seen.Add(s.Query);
                return Logs(s.Query);
            })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("work", new DemoState { Query = "sent" }) }, ["work"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "snapshot" });

        Assert.Equal(["sent"], seen.ToArray());
        Assert.Equal(["sent"], final.Log);
        Assert.Equal("snapshot", final.Query);
    }

    [Fact]
    public async Task A_Send_and_a_plain_trigger_of_the_same_node_are_separate_tasks()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode("work", s =>
            {
                seen.Add(s.Query);
                return new DemoState.Update { Count = 1 };
            })
            .AddEdge(Graph.Start, "plan")
            .AddEdge("plan", "work")
            .AddConditionalEdges("plan", s => new[] { new Send("work", new DemoState { Query = "sent" }) }, ["work"])
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "snapshot" });

        Assert.Equal(["snapshot", "sent"], seen.ToArray());
        Assert.Equal(2, final.Count);
    }

    [Fact]
    public async Task A_conditional_edge_after_Send_tasks_sees_each_tasks_own_update_and_triggers_its_target_once()
    {
        var routed = new Journal<string>();
        var summaries = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<string>("worker", item => Logs(item))
            .AddNode("summarize", s =>
            {
                summaries.Add(string.Join(",", s.Log));
                return null;
            })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("worker", "a"), new Send("worker", "b"), new Send("worker", "c") }, ["worker"])
            .AddConditionalEdges(
                "worker",
                s =>
                {
                    routed.Add(string.Join(",", s.Log));
                    return "summarize";
                },
                ["summarize"])
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["a", "b", "c"], routed.ToArray());
        Assert.Equal(["a,b,c"], summaries.ToArray());
    }

    [Fact]
    public async Task A_Send_whose_argument_does_not_fit_the_node_fails_naming_the_node()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<int>("square", n => new DemoState.Update { Count = n * n })
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("square", "not a number") }, ["square"], "mapper")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Contains("'square'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Send_to_an_unknown_node_fails_naming_the_router_and_the_node()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("ghost", 1) }, name: "mapper")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal("mapper", error.Router);
        Assert.Equal("ghost", error.Value);
    }

    [Fact]
    public async Task A_Command_from_a_node_writes_its_update_and_goes_to_its_destinations_besides_static_edges()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode(
                "decide",
                s => new Command<DemoState> { Update = new DemoState.Update { Query = "decided" }, Goto = ["jump"] },
                new NodeOptions { Destinations = ["jump"] })
            .AddNode("static", s =>
            {
                seen.Add($"static saw {s.Query}");
                return null;
            })
            .AddNode("jump", s =>
            {
                seen.Add($"jump saw {s.Query}");
                return null;
            })
            .AddEdge(Graph.Start, "decide")
            .AddEdge("decide", "static")
            .Compile();

        var final = await app.InvokeAsync(new DemoState { Query = "input" });

        Assert.Equal(["static saw decided", "jump saw decided"], seen.ToArray());
        Assert.Equal("decided", final.Query);
    }

    [Fact]
    public async Task A_Command_may_go_to_Sends_and_to_End()
    {
        var app = new StateGraph<DemoState>()
            .AddNode(
                "plan",
                s => new Command<DemoState> { Goto = [new Send("worker", 5), new Send("worker", 6), Graph.End] },
                new NodeOptions { Destinations = ["worker"] })
            .AddNode<int>("worker", n => new DemoState.Update { Count = n })
            .AddEdge(Graph.Start, "plan")
            .Compile();

        var final = await app.InvokeAsync(new DemoState());

        Assert.Equal(11, final.Count);
    }

    [Fact]
    public async Task A_router_on_a_node_that_returned_a_Command_sees_the_commands_update()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("decide", s => new Command<DemoState> { Update = new DemoState.Update { Query = "from command" } })
            .AddEdge(Graph.Start, "decide")
            .AddConditionalEdges(
                "decide",
                s =>
                {
                    seen.Add(s.Query);
                    return Graph.End;
                },
                [Graph.End])
            .Compile();

        await app.InvokeAsync(new DemoState());

        Assert.Equal(["from command"], seen.ToArray());
    }

    [Fact]
    public async Task A_Command_going_to_an_unknown_node_fails_naming_the_node_and_the_value()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("decide", s => new Command<DemoState> { Goto = ["ghost"] })
            .AddEdge(Graph.Start, "decide")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal("ghost", error.Value);
        Assert.Contains("'decide'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'ghost'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Command_as_run_input_applies_its_update_as_the_input_step_and_schedules_its_destinations()
    {
        var seen = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("entry", (s, c) =>
            {
                seen.Add($"entry@{c.Step} saw {s.Query}");
                return default;
            })
            .AddNode("jump", (s, c) =>
            {
                seen.Add($"jump@{c.Step} saw {s.Query}");
                return default;
            })
            .AddEdge(Graph.Start, "entry")
            .AddEdge("entry", "jump")
            .Compile();

        var events = await app.StreamAsync(
            new Command<DemoState> { Update = new DemoState.Update { Query = "from command", Log = ["c"] }, Goto = ["jump"] },
            StreamMode.Values).CollectAsync();

        Assert.Equal(["entry@1 saw from command", "jump@1 saw from command", "jump@2 saw from command"], seen.ToArray());
        var first = Assert.IsType<ValuesEvent<DemoState>>(events[0]);
        Assert.Equal(0, first.Step);
        Assert.Equal("from command", first.State.Query);
        Assert.Equal(["c"], first.State.Log);
    }

    [Fact]
    public async Task A_Command_as_run_input_may_carry_several_updates_and_Sends()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("entry", s => null, new NodeOptions { Destinations = ["worker"] })
            .AddNode<int>("worker", n => new DemoState.Update { Count = n })
            .AddEdge(Graph.Start, "entry")
            .Compile();

        var final = await app.InvokeAsync(new Command<DemoState>
        {
            Update = Logs("one"),
            Updates = [Logs("two")],
            Goto = [new Send("worker", 40), new Send("worker", 2)],
        });

        Assert.Equal(["one", "two"], final.Log);
        Assert.Equal(42, final.Count);
    }
}
