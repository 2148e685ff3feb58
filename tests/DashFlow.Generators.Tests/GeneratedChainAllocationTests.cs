using System.Diagnostics;
using DashFlow;

namespace GeneratedChain;

[GraphState]
public partial record CounterState
{
    public int Value { get; init; }
}

/// <summary>The S1 benchmark graph: ten generated nodes in a chain, each incrementing a Replace field.</summary>
[Graph<CounterState>]
public partial class ChainOfTen
{
    [Node, Edge(From = Graph.Start), Edge(nameof(N2))] private static CounterState.Update N1(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N3))] private static CounterState.Update N2(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N4))] private static CounterState.Update N3(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N5))] private static CounterState.Update N4(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N6))] private static CounterState.Update N5(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N7))] private static CounterState.Update N6(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N8))] private static CounterState.Update N7(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N9))] private static CounterState.Update N8(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N10))] private static CounterState.Update N9(CounterState s) => new() { Value = s.Value + 1 };

    [Node, Edge(Graph.End)] private static CounterState.Update N10(CounterState s) => new() { Value = s.Value + 1 };
}

/// <summary>
/// The steady state of the generated S1 graph allocates nothing beyond what the nodes return and the new snapshots:
/// no run bookkeeping, no tasks, no closures, no boxing.
/// </summary>
public sealed class GeneratedChainAllocationTests
{
    [Fact]
    public async Task A_warm_invoke_of_the_generated_chain_allocates_only_snapshots_and_updates()
    {
        var app = new ChainOfTen().Compile();
        var input = new CounterState();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(10, (await app.InvokeAsync(input)).Value);
        }

        // What ten nodes and ten barriers cannot avoid: ten updates and ten new snapshots.
        var updates = new CounterState.Update[10];
        var snapshots = new CounterState[10];
        var unavoidableStart = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            updates[i] = new CounterState.Update { Value = i };
            snapshots[i] = input with { Value = i };
        }

        var unavoidable = GC.GetAllocatedBytesForCurrentThread() - unavoidableStart;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var run = app.InvokeAsync(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(run.IsCompletedSuccessfully);
        Assert.Equal(10, (await run).Value);

        // A Debug build of the runtime compiles async methods to class state machines, which allocate even when they
        // complete synchronously; the shipped (optimized) build does not. test.sh and CI build Release.
        var debuggable = typeof(CompiledGraph<>).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false);
        var optimized = debuggable.Length == 0 || !((DebuggableAttribute)debuggable[0]).IsJITOptimizerDisabled;
        if (optimized)
        {
            Assert.Equal(unavoidable, allocated);
        }
        else
        {
            Assert.InRange(allocated, unavoidable, unavoidable + 512);
        }
    }
}
