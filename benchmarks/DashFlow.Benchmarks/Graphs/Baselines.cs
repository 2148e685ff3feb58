using System.Runtime.CompilerServices;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>
/// The hand-written limit of each scenario: the same node bodies called in the graph's order by plain C#, with the
/// final state built once. No graph, no snapshots between steps, no tasks: what a person would write who knew the
/// topology at compile time and needed no runtime at all.
/// </summary>
public static class Baselines
{
    /// <summary>S1: the ten increments of the chain.</summary>
    public static ChainState Chain(ChainState input)
    {
        var value = input.Value;
        for (var i = 0; i < Work.ChainLength; i++)
        {
            value = Increment(value);
        }

        return new ChainState { Value = value };
    }

    /// <summary>S3: the eight branches' strings appended in branch order, then the join.</summary>
    public static FanOutState FanOut(FanOutState input)
    {
        var items = input.Items.ToBuilder();
        for (var i = 0; i < Work.Branches; i++)
        {
            items.Add(Branch(i));
        }

        var appended = items.ToImmutable();
        return new FanOutState { Items = appended, Joined = Join(appended) };
    }

    /// <summary>S4: increment, then route back while the counter is under the limit.</summary>
    public static LoopState Loop(LoopState input)
    {
        var counter = input.Counter;
        do
        {
            counter = Increment(counter);
        }
        while (counter < Work.LoopLimit);

        return new LoopState { Counter = counter };
    }

    // Node bodies are real calls, as they are in a graph: the JIT may not fold the loops away.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Increment(int value) => value + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Branch(int index) => Work.BranchItems[index];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Join(ImmutableList<string> items) => items.Count;
}
