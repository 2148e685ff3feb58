using DashFlow.Tests.Reference;

namespace DashFlow.Tests.Conformance;

/// <summary>
/// A compiled graph reuses its run bookkeeping between invokes: a warm invoke allocates only snapshots and updates, and
/// nothing of a failed run leaks into the next.
/// </summary>
public sealed class RunReuseTests
{
    [Fact]
    public void A_warm_invoke_allocates_nothing_of_its_own_when_its_nodes_write_nothing()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => null)
            .AddNode("b", s => null)
            .AddNode("c", s => null)
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .AddEdge("b", "c")
            .Compile();
        var input = new DemoState();
        Assert.True(app.InvokeAsync(input).IsCompletedSuccessfully);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var run = app.InvokeAsync(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(run.IsCompletedSuccessfully);

        // A Debug build of the runtime compiles its async methods to class state machines, which allocate even when
        // they finish synchronously; the shipped (optimized) build allocates nothing. test.sh and CI build Release.
        var debuggable = typeof(CompiledGraph<>).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false);
        var optimized = debuggable.Length == 0 || !((System.Diagnostics.DebuggableAttribute)debuggable[0]).IsJITOptimizerDisabled;
        if (optimized)
        {
            Assert.Equal(0, allocated);
        }
        else
        {
            Assert.InRange(allocated, 0, 512);
        }
    }

    [Fact]
    public async Task A_join_half_seen_by_a_failed_run_does_not_fire_in_the_next_run()
    {
        var fail = true;
        var joined = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("left", s => new DemoState.Update { Log = ["left"] })
            .AddNode("right", s => fail ? throw new InvalidOperationException("right fails") : new DemoState.Update { Log = ["right"] })
            .AddNode("slow", s => new DemoState.Update { Log = ["slow"] })
            .AddNode("join", s =>
            {
                joined++;
                return new DemoState.Update { Log = ["join"] };
            })
            .AddEdge(Graph.Start, "left")
            .AddEdge(Graph.Start, "slow")
            .AddEdge("slow", "right")
            .AddEdge(["left", "right"], "join")
            .Compile();

        // The first run marks 'left' as seen by the join, then fails in 'right'.
        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask());

        // The second run must wait for both again: 'right' runs a superstep after 'left', and the join runs once.
        fail = false;
        var final = await app.InvokeAsync(new DemoState());
        Assert.Equal(1, joined);
        Assert.Equal(["left", "slow", "right", "join"], final.Log);
    }

    [Fact]
    public async Task A_command_with_several_updates_is_streamed_as_one_event_per_update_in_write_order()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("multi", s => new Command<DemoState>
            {
                Update = new DemoState.Update { Log = ["first"] },
                Updates = [new DemoState.Update { Log = ["second"] }, new DemoState.Update { Count = 2 }],
            })
            .AddEdge(Graph.Start, "multi")
            .Compile();

        var updates = new List<StateUpdate<DemoState>?>();
        await foreach (var e in app.StreamAsync(new DemoState(), StreamMode.Updates))
        {
            updates.Add(Assert.IsType<UpdateEvent<DemoState>>(e).Update);
        }

        Assert.Equal(3, updates.Count);
        Assert.Equal(["first"], ((DemoState.Update)updates[0]!).Log);
        Assert.Equal(["second"], ((DemoState.Update)updates[1]!).Log);
        Assert.Equal(2, ((DemoState.Update)updates[2]!).Count);
    }
}
