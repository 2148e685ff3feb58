using System.Text;

namespace DashFlow;

/// <summary>
/// The topology of a graph: its nodes, edges, joins and routes, without the code that runs. Renders as Mermaid text.
/// </summary>
/// <param name="Name">The graph's name.</param>
/// <param name="Nodes">The nodes in declaration order.</param>
/// <param name="Edges">Plain edges; <see cref="Graph.Start"/> and <see cref="Graph.End"/> may appear.</param>
/// <param name="Joins">Join edges.</param>
/// <param name="Routes">Conditional edges.</param>
public sealed record GraphShape(
    string Name,
    IReadOnlyList<GraphShape.Node> Nodes,
    IReadOnlyList<GraphShape.Edge> Edges,
    IReadOnlyList<GraphShape.Join> Joins,
    IReadOnlyList<GraphShape.Route> Routes)
{
    /// <summary>A node.</summary>
    /// <param name="Name">Its name.</param>
    /// <param name="Defer">Whether it is deferred.</param>
    /// <param name="IsSubgraph">Whether it runs a compiled graph.</param>
    public sealed record Node(string Name, bool Defer = false, bool IsSubgraph = false);

    /// <summary>A plain edge.</summary>
    /// <param name="From">The source node.</param>
    /// <param name="To">The target node.</param>
    public sealed record Edge(string From, string To);

    /// <summary>A join edge: <see cref="To"/> runs once all of <see cref="From"/> have run.</summary>
    /// <param name="From">The sources.</param>
    /// <param name="To">The target.</param>
    public sealed record Join(IReadOnlyList<string> From, string To);

    /// <summary>A conditional edge.</summary>
    /// <param name="From">The node the router runs after.</param>
    /// <param name="Router">The router's name.</param>
    /// <param name="Targets">The declared targets; empty when any node may be returned.</param>
    public sealed record Route(string From, string Router, IReadOnlyList<string> Targets);

    /// <summary>The graph as a Mermaid flowchart: plain edges solid, joins marked, routes dotted and labelled.</summary>
    /// <returns>Mermaid text.</returns>
    public string ToMermaid()
    {
        var text = new StringBuilder();
        text.Append("flowchart TD\n");
        text.Append("    __start__([Start])\n");
        foreach (var node in Nodes)
        {
            var label = node.Defer ? node.Name + " (deferred)" : node.Name;
            text.Append("    ").Append(Id(node.Name)).Append(node.IsSubgraph ? "[[" : "[").Append(label).Append(node.IsSubgraph ? "]]\n" : "]\n");
        }

        text.Append("    __end__([End])\n");
        foreach (var edge in Edges)
        {
            text.Append("    ").Append(Id(edge.From)).Append(" --> ").Append(Id(edge.To)).Append('\n');
        }

        foreach (var join in Joins)
        {
            foreach (var from in join.From)
            {
                text.Append("    ").Append(Id(from)).Append(" -- join --> ").Append(Id(join.To)).Append('\n');
            }
        }

        foreach (var route in Routes)
        {
            foreach (var target in route.Targets)
            {
                text.Append("    ").Append(Id(route.From)).Append(" -. ").Append(route.Router).Append(" .-> ").Append(Id(target)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Id(string node) => node is Graph.Start or Graph.End ? node : "n_" + Sanitize(node);

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
