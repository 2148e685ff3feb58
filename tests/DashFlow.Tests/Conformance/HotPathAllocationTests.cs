using DashFlow.Tests.Reference;

namespace DashFlow.Tests.Conformance;

/// <summary>
/// The superstep loop allocates nothing of its own for synchronous nodes: what a run allocates does not grow with its
/// number of supersteps when the nodes write nothing.
/// </summary>
public sealed class HotPathAllocationTests
{
    private sealed class Loop
    {
        public int Remaining;
    }

    [Fact]
    public void A_superstep_of_synchronous_nodes_that_write_nothing_allocates_nothing()
    {
        var loop = new Loop();
        var app = new StateGraph<DemoState>()
            .AddNode("spin", s => null)
            .AddNode("side", s => null)
            .AddEdge(Graph.Start, "spin")
            .AddEdge("spin", "side")
            .AddConditionalEdges("spin", s => --loop.Remaining > 0 ? "spin" : Graph.End, ["spin", Graph.End])
            .Compile();
        var config = new RunConfig { RecursionLimit = 5000 };
        var input = new DemoState();

        long Measure(int supersteps)
        {
            loop.Remaining = supersteps;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var run = app.InvokeAsync(input, config);
            var after = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(run.IsCompletedSuccessfully);
            return after - before;
        }

        Measure(10);
        Measure(1000);
        var small = Measure(10);
        var large = Measure(1010);

        // 1000 more supersteps of two tasks each (one routed, one by edge) cost no more memory.
        Assert.Equal(small, large);
    }

    [Fact]
    public void A_superstep_whose_node_writes_allocates_only_the_new_snapshot()
    {
        // The node returns the same update object every time, so what remains per superstep is the engine's share: the
        // new snapshot, which its router also reads (the node wrote every write of the superstep).
        var loop = new Loop();
        var one = new DemoState.Update { Count = 1 };
        var app = new StateGraph<DemoState>()
            .AddNode("count", s => one)
            .AddEdge(Graph.Start, "count")
            .AddConditionalEdges("count", s => --loop.Remaining > 0 ? "count" : Graph.End, ["count", Graph.End])
            .Compile();
        var config = new RunConfig { RecursionLimit = 5000 };
        var input = new DemoState();

        long Measure(int supersteps)
        {
            loop.Remaining = supersteps;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var run = app.InvokeAsync(input, config);
            var after = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(run.IsCompletedSuccessfully);
            Assert.Equal(supersteps, run.Result.Count);
            return after - before;
        }

        var snapshots = new DemoState[1000];
        var snapshotBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = input with { Count = i };
        }

        var snapshotBytes = GC.GetAllocatedBytesForCurrentThread() - snapshotBefore;

        Measure(10);
        Measure(1000);
        var small = Measure(10);
        var large = Measure(1010);

        Assert.Equal(snapshotBytes, large - small);
    }
}
