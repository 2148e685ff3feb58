using DashFlow;
using static DashFlow.Reduce;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>S1, S6, S7: one int that every node of the chain increments (Replace).</summary>
[GraphState]
public partial record ChainState
{
    public int Value { get; init; }
}

/// <summary>S3: the eight branches each append one string; the join records how many it saw.</summary>
[GraphState]
public partial record FanOutState
{
    [Reducer(Append)] public ImmutableList<string> Items { get; init; } = [];

    public int Joined { get; init; }
}

/// <summary>S4: the counter the loop node increments until the router sends the run to End.</summary>
[GraphState]
public partial record LoopState
{
    public int Counter { get; init; }
}

/// <summary>
/// S5: the chain's counter plus a large field no node writes: 1,000 strings of 100 characters (<see cref="Work.Documents"/>).
/// A checkpointer stores it once, at the input step; the supersteps leave it alone, so its bytes are not written again.
/// </summary>
[GraphState]
public partial record BigState
{
    public int Value { get; init; }

    public ImmutableList<string> Documents { get; init; } = [];
}
