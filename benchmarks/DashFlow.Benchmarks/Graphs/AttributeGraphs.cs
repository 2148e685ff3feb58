namespace DashFlow.Benchmarks.Graphs;

// The attribute (generated) form of the scenarios. Node bodies are trivial on purpose: the figures are the framework's
// own cost. The fluent-builder form of the same graphs is in BuilderGraphs.cs.

/// <summary>S1: ten nodes in a chain, each increments <see cref="ChainState.Value"/>.</summary>
[Graph<ChainState>]
public partial class ChainGraph
{
    [Node, Edge(From = Graph.Start), Edge(nameof(N02))]
    private static ChainState.Update N01(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N03))]
    private static ChainState.Update N02(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N04))]
    private static ChainState.Update N03(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N05))]
    private static ChainState.Update N04(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N06))]
    private static ChainState.Update N05(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N07))]
    private static ChainState.Update N06(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N08))]
    private static ChainState.Update N07(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N09))]
    private static ChainState.Update N08(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N10))]
    private static ChainState.Update N09(ChainState s) => new() { Value = s.Value + 1 };

    [Node, Edge(Graph.End)]
    private static ChainState.Update N10(ChainState s) => new() { Value = s.Value + 1 };
}

/// <summary>S5: the S1 chain over <see cref="BigState"/>: each node increments the counter and leaves the documents alone.</summary>
[Graph<BigState>]
public partial class BigChainGraph
{
    [Node, Edge(From = Graph.Start), Edge(nameof(N02))]
    private static BigState.Update N01(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N03))]
    private static BigState.Update N02(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N04))]
    private static BigState.Update N03(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N05))]
    private static BigState.Update N04(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N06))]
    private static BigState.Update N05(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N07))]
    private static BigState.Update N06(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N08))]
    private static BigState.Update N07(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N09))]
    private static BigState.Update N08(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(nameof(N10))]
    private static BigState.Update N09(BigState s) => new() { Value = s.Value + 1 };

    [Node, Edge(Graph.End)]
    private static BigState.Update N10(BigState s) => new() { Value = s.Value + 1 };
}

/// <summary>S3: Start fans out to eight branches that each append one string; a join runs once all eight have run.</summary>
[Graph<FanOutState>]
public partial class FanOutGraph
{
    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B1(FanOutState s) => new() { Items = [Work.BranchItems[0]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B2(FanOutState s) => new() { Items = [Work.BranchItems[1]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B3(FanOutState s) => new() { Items = [Work.BranchItems[2]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B4(FanOutState s) => new() { Items = [Work.BranchItems[3]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B5(FanOutState s) => new() { Items = [Work.BranchItems[4]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B6(FanOutState s) => new() { Items = [Work.BranchItems[5]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B7(FanOutState s) => new() { Items = [Work.BranchItems[6]] };

    [Node, Edge(From = Graph.Start)]
    private static FanOutState.Update B8(FanOutState s) => new() { Items = [Work.BranchItems[7]] };

    [Node, Join(nameof(B1), nameof(B2), nameof(B3), nameof(B4), nameof(B5), nameof(B6), nameof(B7), nameof(B8)), Edge(Graph.End)]
    private static FanOutState.Update Join(FanOutState s) => new() { Joined = s.Items.Count };
}

/// <summary>S4: one node increments the counter; a router sends the run back to it until the counter reaches 100.</summary>
[Graph<LoopState>]
public partial class LoopGraph
{
    [Node, Edge(From = Graph.Start), Route(nameof(Again))]
    private static LoopState.Update Increment(LoopState s) => new() { Counter = s.Counter + 1 };

    [Router(Targets = [nameof(Increment), Graph.End])]
    private static Target Again(LoopState s) => s.Counter < Work.LoopLimit ? Target.Increment : Target.End;
}
