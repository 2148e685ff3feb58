using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §7: stream modes, event order, backpressure and leaving a stream early.</summary>
public sealed class StreamingTests
{
    private static CompiledGraph<DemoState> Chain() => new StateGraph<DemoState>()
        .AddNode("a", s => Logs("a"))
        .AddNode("quiet", s => null)
        .AddNode("b", s => new DemoState.Update { Log = ["b"], Count = 2 })
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "quiet")
        .AddEdge("quiet", "b")
        .Compile();

    [Fact]
    public async Task Updates_reports_each_nodes_update_with_its_superstep()
    {
        var events = await Chain().StreamAsync(new DemoState()).CollectAsync();

        Assert.Collection(
            events,
            e => Assert.Equal((1, "a", "{ Log += [\"a\"] }"), Describe(e)),
            e => Assert.Equal((2, "quiet", "null"), Describe(e)),
            e => Assert.Equal((3, "b", "{ Log += [\"b\"], Count += 2 }"), Describe(e)));

        static (int, string, string) Describe(GraphEvent e)
        {
            var update = Assert.IsType<UpdateEvent<DemoState>>(e);
            return (update.Step, update.Node, update.Update?.ToString() ?? "null");
        }
    }

    [Fact]
    public async Task Updates_reports_a_node_that_returned_nothing_with_a_null_update()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("silent", s => null)
            .AddEdge(Graph.Start, "silent")
            .Compile();

        var events = await app.StreamAsync(new DemoState()).CollectAsync();

        var update = Assert.IsType<UpdateEvent<DemoState>>(Assert.Single(events));
        Assert.Equal("silent", update.Node);
        Assert.Null(update.Update);
    }

    [Fact]
    public async Task Values_reports_the_state_after_the_input_step_and_after_each_superstep()
    {
        var events = await Chain().StreamAsync(new DemoState { Query = "q" }, StreamMode.Values).CollectAsync();

        var values = events.Select(e => Assert.IsType<ValuesEvent<DemoState>>(e)).ToArray();
        Assert.Equal([0, 1, 2, 3], values.Select(v => v.Step));
        Assert.Equal(["", "a", "a", "a,b"], values.Select(v => string.Join(",", v.State.Log)));
        Assert.All(values, v => Assert.Equal("q", v.State.Query));
        Assert.Equal(2, values[^1].State.Count);
    }

    [Fact]
    public async Task Invoke_and_stream_reach_the_same_final_state()
    {
        var app = Chain();

        var invoked = await app.InvokeAsync(new DemoState());
        var streamed = (await app.StreamAsync(new DemoState(), StreamMode.Values).CollectAsync()).OfType<ValuesEvent<DemoState>>().Last().State;

        Assert.Equal(invoked.Log, streamed.Log);
        Assert.Equal(invoked.Count, streamed.Count);
    }

    [Fact]
    public async Task Custom_reports_what_a_node_emits_through_its_context_in_order()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("talk", async (s, c) =>
            {
                Assert.True(c.IsStreaming);
                await c.EmitAsync("thinking");
                await c.EmitAsync(42);
                return Logs("done");
            })
            .AddEdge(Graph.Start, "talk")
            .Compile();

        var events = await app.StreamAsync(new DemoState(), StreamMode.Custom | StreamMode.Updates).CollectAsync();

        Assert.Collection(
            events,
            e => Assert.Equal(new CustomEvent(1, "talk", "thinking"), e),
            e => Assert.Equal(new CustomEvent(1, "talk", 42), e),
            e => Assert.Equal("talk", Assert.IsType<UpdateEvent<DemoState>>(e).Node));
    }

    [Fact]
    public async Task Emitting_without_a_custom_stream_does_nothing()
    {
        var streaming = new Journal<bool>();
        var app = new StateGraph<DemoState>()
            .AddNode("talk", async (s, c) =>
            {
                streaming.Add(c.IsStreaming);
                await c.EmitAsync("ignored");
                return Logs("done");
            })
            .AddEdge(Graph.Start, "talk")
            .Compile();

        var final = await app.InvokeAsync(new DemoState());
        var events = await app.StreamAsync(new DemoState(), StreamMode.Updates).CollectAsync();

        Assert.Equal(["done"], final.Log);
        Assert.IsType<UpdateEvent<DemoState>>(Assert.Single(events));
        Assert.Equal([false, false], streaming.ToArray());
    }

    [Fact]
    public async Task Tasks_reports_start_and_finish_with_the_error_then_the_stream_throws_the_runs_error()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("ok", s => Logs("ok"))
            .AddNode("boom", s => throw new InvalidOperationException("kaput"))
            .AddEdge(Graph.Start, "ok")
            .AddEdge(Graph.Start, "boom")
            .Compile();

        var (events, error) = await app.StreamAsync(new DemoState(), StreamMode.Tasks).CollectUntilErrorAsync();

        Assert.Collection(
            events,
            e => Assert.Equal(new TaskStartedEvent(1, "ok", 0, null), e),
            e => Assert.Equal(new TaskFinishedEvent(1, "ok", 0, null), e),
            e => Assert.Equal(new TaskStartedEvent(1, "boom", 1, null), e),
            e =>
            {
                var finished = Assert.IsType<TaskFinishedEvent>(e);
                Assert.Equal(("boom", 1), (finished.Node, finished.Task));
                Assert.Equal("kaput", Assert.IsType<InvalidOperationException>(finished.Error).Message);
            });
        var failure = Assert.IsType<NodeFailedException>(error);
        Assert.Equal("boom", failure.Node);
    }

    [Fact]
    public async Task Tasks_reports_the_argument_of_a_Send_task()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("plan", s => null)
            .AddNode<int>("worker", n => null)
            .AddEdge(Graph.Start, "plan")
            .AddConditionalEdges("plan", s => new[] { new Send("worker", 7) }, ["worker"])
            .Compile();

        var events = await app.StreamAsync(new DemoState(), StreamMode.Tasks).CollectAsync();

        Assert.Contains(new TaskStartedEvent(2, "worker", 0, 7), events);
    }

    [Fact]
    public async Task The_runs_own_error_is_thrown_from_the_stream_after_the_events_before_it()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => Logs("a"))
            .AddNode("left", s => new DemoState.Update { Query = "l" })
            .AddNode("right", s => new DemoState.Update { Query = "r" })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "left")
            .AddEdge("a", "right")
            .Compile();

        var (events, error) = await app.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Values).CollectUntilErrorAsync();

        // Values 0, a's update, Values 1, then both conflicting updates; the barrier of superstep 2 fails.
        Assert.Equal(5, events.Count);
        Assert.Equal(2, Assert.IsType<InvalidUpdateException>(error).Step);
    }

    [Fact]
    public async Task Events_are_ordered_strictly_across_supersteps()
    {
        // Three supersteps of three parallel async nodes each that finish in no particular order.
        var graph = new StateGraph<DemoState>();
        string[][] layers = [["a1", "a2", "a3"], ["b1", "b2", "b3"], ["c1", "c2", "c3"]];
        foreach (var layer in layers)
        {
            foreach (var node in layer)
            {
                graph.AddNode(node, async (s, c) =>
                {
                    await Task.Yield();
                    await c.EmitAsync(node);
                    return Logs(node);
                });
            }
        }

        foreach (var node in layers[0])
        {
            graph.AddEdge(Graph.Start, node);
        }

        foreach (var node in layers[1])
        {
            graph.AddEdge(layers[0], node);
        }

        foreach (var node in layers[2])
        {
            graph.AddEdge(layers[1], node);
        }

        var app = graph.Compile();

        for (var round = 0; round < 20; round++)
        {
            var events = await app.StreamAsync(new DemoState(), StreamMode.All).CollectAsync().Within();

            var steps = events.Select(e => e.Step).ToArray();
            Assert.Equal(steps.Order(), steps);

            // The Values event of a superstep closes it: it follows every other event of that superstep.
            for (var step = 0; step <= 3; step++)
            {
                var values = events.FindIndex(e => e is ValuesEvent<DemoState> && e.Step == step);
                Assert.True(values >= 0);
                Assert.Equal(values, events.FindLastIndex(e => e.Step == step));
            }

            // Within a superstep, a task starts before it emits, reports its update, and finishes.
            foreach (var node in layers.SelectMany(l => l))
            {
                var started = events.FindIndex(e => e is TaskStartedEvent t && t.Node == node);
                var custom = events.FindIndex(e => e is CustomEvent c && c.Node == node);
                var updated = events.FindIndex(e => e is UpdateEvent<DemoState> u && u.Node == node);
                var finished = events.FindIndex(e => e is TaskFinishedEvent t && t.Node == node);
                Assert.True(started < custom && custom < updated && updated < finished, node);
            }

            // Sending the same graph the same input gives the same final state however the tasks interleaved.
            var final = Assert.IsType<ValuesEvent<DemoState>>(events[^1]).State;
            Assert.Equal(["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"], final.Log);
        }
    }

    [Fact]
    public async Task A_slow_consumer_holds_the_run_back_once_the_buffer_is_full()
    {
        const int buffer = 2;
        var produced = 0;
        var blockedAt = NewSignal<int>();
        var app = new StateGraph<DemoState>()
            .AddNode("tick", async (s, c) =>
            {
                var n = Interlocked.Increment(ref produced);
                var write = c.EmitAsync(n);
                if (!write.IsCompleted)
                {
                    // The channel is full: the run has to wait for the consumer.
                    blockedAt.TrySetResult(n);
                }

                await write;
                return new DemoState.Update { Count = 1 };
            })
            .AddEdge(Graph.Start, "tick")
            .AddConditionalEdges("tick", s => s.Count < 50 ? "tick" : Graph.End, ["tick", Graph.End])
            .Compile();

        var config = new RunConfig { StreamBufferSize = buffer, RecursionLimit = 100 };
        await using var events = app.StreamAsync(new DemoState(), StreamMode.Custom, config).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var consumed = 1;

        // With one event taken and the consumer idle, the run stops once the buffer is full, and stays stopped.
        var blocked = await blockedAt.Task.Within();
        Assert.InRange(blocked, buffer + 1, buffer + 2);
        Assert.InRange(Volatile.Read(ref produced), blocked, consumed + buffer + 1);

        while (await events.MoveNextAsync())
        {
            consumed++;
            Assert.Equal(consumed, (int)((CustomEvent)events.Current).Value!);

            // An event taken frees one slot: the run is never more than the buffer (plus the write waiting) ahead.
            Assert.True(Volatile.Read(ref produced) <= consumed + buffer + 1);
        }

        Assert.Equal(50, consumed);
    }

    [Fact]
    public async Task A_slow_consumer_keeps_the_supersteps_within_the_buffer_of_the_events_it_read()
    {
        const int buffer = 1;
        var supersteps = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("tick", s =>
            {
                Interlocked.Increment(ref supersteps);
                return new DemoState.Update { Count = 1 };
            })
            .AddEdge(Graph.Start, "tick")
            .AddConditionalEdges("tick", s => s.Count < 200 ? "tick" : Graph.End, ["tick", Graph.End])
            .Compile();

        var consumed = 0;
        await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates, new RunConfig { StreamBufferSize = buffer, RecursionLimit = 300 }))
        {
            consumed++;
            Assert.True(Volatile.Read(ref supersteps) <= consumed + buffer + 1);
        }

        Assert.Equal(200, consumed);
    }

    [Fact]
    public async Task Leaving_the_enumeration_early_stops_the_run_and_frees_the_thread()
    {
        var ran = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("tick", s =>
            {
                Interlocked.Increment(ref ran);
                return new DemoState.Update { Count = 1 };
            })
            .AddEdge(Graph.Start, "tick")
            .AddConditionalEdges("tick", s => s.Count < 1000 ? "tick" : Graph.End, ["tick", Graph.End])
            .Compile();
        var config = new RunConfig { ThreadId = "early", StreamBufferSize = 1, RecursionLimit = 2000 };

        await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates, config))
        {
            Assert.Equal(1, e.Step);
            break;
        }

        // Leaving the loop waits for the run to stop: nothing runs after it, and the thread is free again.
        var stoppedAt = Volatile.Read(ref ran);
        Assert.InRange(stoppedAt, 1, 3);
        var next = await app.InvokeAsync(new DemoState { Count = 998 }, config);
        Assert.Equal(1000, next.Count);
        Assert.Equal(stoppedAt + 2, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task Cancelling_a_stream_stops_the_run_with_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var started = NewSignal();
        var observedCancellation = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("first", s => Logs("first"))
            .AddNode("wait", (s, c) => WaitForCancellation(s, started, observedCancellation, c.CancellationToken))
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "wait")
            .Compile();

        var seen = new List<GraphEvent>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates, null, cts.Token))
            {
                seen.Add(e);
                await started.Task.Within();
                await cts.CancelAsync();
            }
        });

        Assert.Equal("first", Assert.IsType<UpdateEvent<DemoState>>(Assert.Single(seen)).Node);
        Assert.True(observedCancellation.Task.IsCompletedSuccessfully);
    }
}
