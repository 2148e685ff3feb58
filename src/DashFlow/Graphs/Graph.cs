namespace DashFlow;

/// <summary>The graph's two virtual nodes.</summary>
public static class Graph
{
    /// <summary>The virtual node a run starts from: <c>[Edge(From = Graph.Start)]</c> marks an entry node.</summary>
    public const string Start = "__start__";

    /// <summary>The virtual node a branch ends in: an edge or route to it triggers nothing.</summary>
    public const string End = "__end__";

    internal static string Display(string node) => node switch
    {
        Start => "Start",
        End => "End",
        _ => node,
    };
}
