using System.Globalization;
using System.Text;

namespace DashFlow.Benchmarks.Generator;

/// <summary>
/// Writes the source of a large attribute graph for the generator and analyzer benchmarks: a state with a Replace, an
/// Append and a Sum field, and a graph of <see cref="NodeCount"/> nodes in groups of ten: each group is a chain whose head
/// fans out to two nodes that a join gathers, and the last node's router loops back to the first group or ends. For the
/// analyzers, also a fluent-builder chain of as many nodes with constant names.
/// </summary>
public static class LargeGraphSource
{
    public const int NodeCount = 200;

    private const int GroupSize = 10;

    /// <summary>The state and graph declarations, with <see cref="NodeCount"/> nodes.</summary>
    public static string Graph() => Graph(NodeCount);

    /// <summary>The state and graph declarations.</summary>
    /// <param name="nodeCount">How many nodes: a multiple of ten, at least 20.</param>
    /// <param name="unknownEdge">Adds an edge to a node the graph does not have (for the check that the analyzers run).</param>
    public static string Graph(int nodeCount, bool unknownEdge = false)
    {
        if (nodeCount < 2 * GroupSize || nodeCount % GroupSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeCount), nodeCount, $"The large graph has groups of {GroupSize} nodes and at least two groups.");
        }

        var text = new StringBuilder();
        text.AppendLine("""
            using System.Collections.Immutable;
            using DashFlow;
            using static DashFlow.Reduce;

            namespace Large;

            [GraphState]
            public partial record LargeState
            {
                public string Phase { get; init; } = "";
                [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
                [Reducer(Sum)] public int Steps { get; init; }
            }

            [Graph<LargeState>]
            public partial class LargeGraph
            {
            """);

        for (var i = 0; i < nodeCount; i++)
        {
            var positionInGroup = i % GroupSize;
            var attributes = new List<string> { "Node" };
            if (i == 0)
            {
                attributes.Add("Edge(From = Graph.Start)");
                if (unknownEdge)
                {
                    attributes.Add("Edge(\"Nowhere\")");
                }
            }

            if (i == nodeCount - 1)
            {
                attributes.Add("Route(nameof(Again))");
            }
            else if (positionInGroup == 0)
            {
                // The head of a group fans out to the next two nodes; the third joins them.
                attributes.Add($"Edge(nameof({Name(i + 1)}))");
                attributes.Add($"Edge(nameof({Name(i + 2)}))");
            }
            else if (positionInGroup == 1 || positionInGroup == 2)
            {
                // Gathered by the join on node i + 2 (or i + 1).
            }
            else
            {
                attributes.Add($"Edge(nameof({Name(i + 1)}))");
            }

            if (positionInGroup == 3)
            {
                attributes.Add($"Join(nameof({Name(i - 2)}), nameof({Name(i - 1)}))");
            }

            text.Append(CultureInfo.InvariantCulture, $"    [{string.Join(", ", attributes)}]\n");
            text.Append(CultureInfo.InvariantCulture, $"    private LargeState.Update {Name(i)}(LargeState s) => new() {{ Log = [\"{Name(i)}\"], Steps = 1 }};\n\n");
        }

        text.AppendLine($$"""
                [Router(Targets = [nameof({{Name(0)}}), Graph.End])]
                private static Target Again(LargeState s) => s.Steps < {{nodeCount * 2}} ? Target.{{Name(0)}} : Target.End;
            }
            """);
        return text.ToString();
    }

    /// <summary>
    /// A fluent-builder chain of <paramref name="nodeCount"/> nodes over the large graph's state, built on a local with
    /// constant node names: the shape the builder analyzer checks.
    /// </summary>
    /// <param name="nodeCount">How many nodes.</param>
    /// <param name="unknownEdge">Adds an edge to a node the chain does not have.</param>
    public static string Builder(int nodeCount, bool unknownEdge = false)
    {
        var text = new StringBuilder();
        text.AppendLine("""
            using DashFlow;

            namespace Large;

            public static class LargeBuilder
            {
                public static CompiledGraph<LargeState> Build()
                {
                    var graph = new StateGraph<LargeState>("large-builder");
            """);
        var previous = "Graph.Start";
        for (var i = 0; i < nodeCount; i++)
        {
            var name = "\"b" + i.ToString("000", CultureInfo.InvariantCulture) + "\"";
            text.Append(CultureInfo.InvariantCulture, $"        graph.AddNode({name}, static s => new LargeState.Update {{ Steps = 1 }}).AddEdge({previous}, {name});\n");
            previous = name;
        }

        if (unknownEdge)
        {
            text.AppendLine("        graph.AddEdge(\"b000\", \"nowhere\");");
        }

        text.Append(CultureInfo.InvariantCulture, $$"""
                    return graph.AddEdge({{previous}}, Graph.End).Compile();
                }
            }
            """);
        return text.ToString();
    }

    /// <summary>A file the generators do not look at, edited between the cold and the cached run.</summary>
    public static string Unrelated(int version) => $$"""
        namespace Large;

        public static class Unrelated
        {
            public static int Version => {{version}};
        }
        """;

    private static string Name(int index) => "N" + index.ToString("000", CultureInfo.InvariantCulture);
}
