namespace DashFlow.Benchmarks.Graphs;

/// <summary>The fluent-builder form of the scenarios' graphs: the same nodes and topology as <c>AttributeGraphs.cs</c>.</summary>
public static class BuilderGraphs
{
    /// <summary>S1: ten nodes in a chain.</summary>
    public static CompiledGraph<ChainState> Chain()
    {
        var graph = new StateGraph<ChainState>("chain");
        var previous = Graph.Start;
        for (var i = 1; i <= Work.ChainLength; i++)
        {
            var name = $"n{i:00}";
            graph.AddNode(name, static s => new ChainState.Update { Value = s.Value + 1 }).AddEdge(previous, name);
            previous = name;
        }

        return graph.AddEdge(previous, Graph.End).Compile();
    }

    /// <summary>S5: the same chain over <see cref="BigState"/>.</summary>
    public static CompiledGraph<BigState> BigChain()
    {
        var graph = new StateGraph<BigState>("big-chain");
        var previous = Graph.Start;
        for (var i = 1; i <= Work.ChainLength; i++)
        {
            var name = $"n{i:00}";
            graph.AddNode(name, static s => new BigState.Update { Value = s.Value + 1 }).AddEdge(previous, name);
            previous = name;
        }

        return graph.AddEdge(previous, Graph.End).Compile();
    }

    /// <summary>S3: Start, eight parallel branches, a join, End.</summary>
    public static CompiledGraph<FanOutState> FanOut()
    {
        var graph = new StateGraph<FanOutState>("fan-out");
        var branches = new string[Work.Branches];
        for (var i = 0; i < Work.Branches; i++)
        {
            var item = Work.BranchItems[i];
            branches[i] = $"b{i + 1}";
            graph.AddNode(branches[i], s => new FanOutState.Update { Items = [item] }).AddEdge(Graph.Start, branches[i]);
        }

        return graph
            .AddNode("join", static s => new FanOutState.Update { Joined = s.Items.Count })
            .AddEdge(branches, "join")
            .AddEdge("join", Graph.End)
            .Compile();
    }

    /// <summary>S4: one node and a conditional edge back to it until the counter reaches 100.</summary>
    public static CompiledGraph<LoopState> Loop() =>
        new StateGraph<LoopState>("loop")
            .AddNode("increment", static s => new LoopState.Update { Counter = s.Counter + 1 })
            .AddEdge(Graph.Start, "increment")
            .AddConditionalEdges("increment", static s => s.Counter < Work.LoopLimit ? "increment" : Graph.End, ["increment", Graph.End], "again")
            .Compile();
}
