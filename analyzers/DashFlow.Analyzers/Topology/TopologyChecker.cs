using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Topology;

/// <summary>
/// The topology rules, shared by attribute graphs and fluent builder chains: node names (DFLOW0105), names that are not
/// nodes (DFLOW0103, DFLOW0201), Start and End used the wrong way round (DFLOW0106), no entry (DFLOW0104), nodes that
/// cannot be reached (DFLOW0101) and nodes with no path to End (DFLOW0102). It follows the checks the engine makes when
/// a graph is compiled, so that a graph the analyzers accept also compiles at run time.
/// </summary>
internal static class TopologyChecker
{
    public const string Start = "__start__";
    public const string End = "__end__";

    public static void Check(TopologyGraph graph, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        var nodes = graph.Nodes;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var misnamed = new bool[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            string? problem = null;
            if (string.IsNullOrWhiteSpace(node.Name))
            {
                problem = $"A node of graph '{graph.Name}' has an empty name; give the node a name.";
            }
            else if (node.Name is Start or End)
            {
                problem = $"A node of graph '{graph.Name}' is named '{node.Name}', which is reserved for the graph's {Display(node.Name)}; rename the node.";
            }
            else if (index.ContainsKey(node.Name))
            {
                problem = $"Node name '{node.Name}' is used twice in graph '{graph.Name}'; node names must be unique. Rename one of the nodes.";
            }
            else
            {
                index.Add(node.Name, i);
                if (node.Name.IndexOf('|') >= 0 || node.Name.IndexOf(':') >= 0)
                {
                    problem = $"Node '{node.Name}' of graph '{graph.Name}' has '|' or ':' in its name; these separate subgraph namespaces, so rename the node.";
                }
            }

            if (problem is not null)
            {
                misnamed[i] = true;
                report(Diagnostic.Create(DiagnosticDescriptors.InvalidNodeName, node.Location, problem));
            }
        }

        bool IsNode(string name) => index.ContainsKey(name);

        // A name that is not a node may stand for any node; the nodes it was meant for, or the ones its edge leads to,
        // would be reported unreachable as well, so reachability is judged only once every name is right.
        var unknownTarget = false;

        void Unknown(NameRef name, string what, DiagnosticDescriptor descriptor)
        {
            unknownTarget = true;
            var suggestion = Suggest(name.Value, index.Keys.Concat(graph.Aliases));
            var properties = suggestion is null
                ? ImmutableDictionary<string, string?>.Empty
                : ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.SuggestionProperty, suggestion);
            var hint = suggestion is null ? " Check the spelling, or add the node." : $" Did you mean '{suggestion}'?";
            report(Diagnostic.Create(descriptor, name.Location, properties, $"{what} unknown node '{name.Value}'.{hint}"));
        }

        void Misused(NameRef name, string message) =>
            report(Diagnostic.Create(DiagnosticDescriptors.EdgeIntoStartOrOutOfEnd, name.Location, message));

        // ---- names that are not nodes, and Start and End the wrong way round ----
        foreach (var edge in graph.Edges)
        {
            var what = $"Edge '{Display(edge.From.Value)}' -> '{Display(edge.To.Value)}'";
            if (edge.From.Value == End)
            {
                Misused(edge.From, $"{what} comes out of End; End triggers nothing. Remove the edge.");
            }
            else if (edge.From.Value != Start && !IsNode(edge.From.Value))
            {
                Unknown(edge.From, what + " names", DiagnosticDescriptors.UnknownNode);
            }

            if (edge.To.Value == Start)
            {
                Misused(edge.To, $"{what} leads into Start; nothing can go to Start. Point the edge at a node, or remove it.");
            }
            else if (edge.To.Value != End && !IsNode(edge.To.Value))
            {
                Unknown(edge.To, what + " names", DiagnosticDescriptors.UnknownNode);
            }
        }

        foreach (var join in graph.Joins)
        {
            var what = $"Join [{string.Join(", ", join.Sources.Select(s => Display(s.Value)))}] -> '{Display(join.To.Value)}'";
            foreach (var source in join.Sources)
            {
                if (source.Value is Start or End)
                {
                    Misused(source, $"{what} waits for {Display(source.Value)}; a join's sources must be nodes. Use a plain edge from Start instead.");
                }
                else if (!IsNode(source.Value))
                {
                    Unknown(source, what + " names", DiagnosticDescriptors.UnknownNode);
                }
            }

            if (join.To.Value == Start)
            {
                Misused(join.To, $"{what} leads into Start; nothing can go to Start. Point the join at a node.");
            }
            else if (join.To.Value != End && !IsNode(join.To.Value))
            {
                Unknown(join.To, what + " names", DiagnosticDescriptors.UnknownNode);
            }
        }

        foreach (var route in graph.Routes)
        {
            if (route.From.Value == End)
            {
                Misused(route.From, $"Router '{route.Router}' is attached to End; End triggers nothing, so the router never runs. Attach it to a node.");
            }
            else if (route.From.Value != Start && !IsNode(route.From.Value))
            {
                Unknown(route.From, $"Router '{route.Router}' is attached to", DiagnosticDescriptors.UnknownNode);
            }

            foreach (var target in route.Targets ?? [])
            {
                if (target.Value == Start)
                {
                    Misused(target, $"Router '{route.Router}' declares Start as a target; nothing can go to Start. Declare a node or Graph.End.");
                }
                else if (target.Value != End && !IsNode(target.Value))
                {
                    Unknown(target, $"Router '{route.Router}' declares as a target", DiagnosticDescriptors.UnknownRouterTarget);
                }
            }
        }

        foreach (var node in nodes)
        {
            foreach (var destination in node.Destinations)
            {
                if (destination.Value == Start)
                {
                    Misused(destination, $"Node '{node.Name}' declares Start as a Command destination; nothing can go to Start. Declare a node or Graph.End.");
                }
                else if (destination.Value != End && !IsNode(destination.Value))
                {
                    Unknown(destination, $"Node '{node.Name}' declares as a Command destination", DiagnosticDescriptors.UnknownNode);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        // ---- the entry; without one every node is unreachable, which is one problem, not one per node ----
        if (!graph.Edges.Any(e => e.From.Value == Start) && !graph.Routes.Any(r => r.From.Value == Start))
        {
            var fix = graph.Dialect == GraphDialect.Attributes
                ? "add [Edge(From = Graph.Start)] to the first node, or a [Router(From = Graph.Start)] that picks it"
                : "add AddEdge(Graph.Start, \"first\") or SetEntryPoint(\"first\"), or a router with AddConditionalEdges(Graph.Start, ...)";
            report(Diagnostic.Create(DiagnosticDescriptors.NoEntry, graph.Location, $"Graph '{graph.Name}' has no entry: {fix}."));
            return;
        }

        var successors = Successors(graph, index);
        var reached = Reach(graph, index, successors);
        if (graph.ReachabilityKnown && !unknownTarget)
        {
            var how = graph.Dialect == GraphDialect.Attributes
                ? "Add an edge to it, declare it as a router target or in [Node(Destinations = ...)], or remove it."
                : "Add an edge to it, declare it as a router target or in NodeOptions.Destinations, or remove it.";
            for (var i = 0; i < nodes.Count; i++)
            {
                if (!reached[i] && !misnamed[i])
                {
                    report(Diagnostic.Create(DiagnosticDescriptors.UnreachableNode, nodes[i].Location,
                        $"Node '{nodes[i].Name}' of graph '{graph.Name}' cannot be reached from Start: no edge, join, router target or Command destination leads to it. {how}"));
                }
            }
        }

        CheckPathsToEnd(graph, successors, reached, misnamed, judgeReachability: graph.ReachabilityKnown && !unknownTarget, report);
    }

    /// <summary>Display text of a node name: Start and End for the virtual nodes.</summary>
    public static string Display(string name) => name switch
    {
        Start => "Start",
        End => "End",
        _ => name,
    };

    /// <summary>The one known name that equals <paramref name="name"/> when case is ignored, if exactly one does.</summary>
    public static string? Suggest(string name, IEnumerable<string> known)
    {
        var matches = known.Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase) && k != name).Distinct(StringComparer.Ordinal).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Where each node (and Start, at index <c>Nodes.Count</c>) can lead, and whether it can end or leave the known graph.</summary>
    private static Outgoing[] Successors(TopologyGraph graph, Dictionary<string, int> index)
    {
        var nodes = graph.Nodes;
        var result = new Outgoing[nodes.Count + 1];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new Outgoing();
        }

        int Source(string name) => name == Start ? nodes.Count : index.TryGetValue(name, out var i) ? i : -1;

        void Lead(Outgoing from, string to)
        {
            from.Any = true;
            if (to == End)
            {
                from.Ends = true;
            }
            else if (index.TryGetValue(to, out var target))
            {
                from.Next.Add(target);
            }
            else
            {
                // Unknown names and edges into Start are reported on their own; counting them as an exit keeps the node
                // from being reported a second time as a dead end.
                from.Open = true;
            }
        }

        foreach (var edge in graph.Edges)
        {
            if (Source(edge.From.Value) is var from and >= 0)
            {
                Lead(result[from], edge.To.Value);
            }
        }

        foreach (var join in graph.Joins)
        {
            foreach (var source in join.Sources)
            {
                if (Source(source.Value) is var from and >= 0 && from < nodes.Count)
                {
                    Lead(result[from], join.To.Value);
                }
            }
        }

        foreach (var route in graph.Routes)
        {
            if (Source(route.From.Value) is not (var from and >= 0))
            {
                continue;
            }

            if (route.Targets is null)
            {
                result[from].Any = true;
                result[from].AnyNode = true;
                result[from].Open = true;
            }
            else
            {
                foreach (var target in route.Targets)
                {
                    Lead(result[from], target.Value);
                }
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var destination in nodes[i].Destinations)
            {
                Lead(result[i], destination.Value);
            }

            if (nodes[i].MayCommand)
            {
                result[i].Any = true;
                result[i].Open = true;
            }
        }

        return result;
    }

    /// <summary>The nodes reachable from Start, as the engine computes them when it compiles a graph.</summary>
    private static bool[] Reach(TopologyGraph graph, Dictionary<string, int> index, Outgoing[] successors)
    {
        var nodes = graph.Nodes;
        var reached = new bool[nodes.Count + 1];
        var queue = new Queue<int>();
        void Visit(int i)
        {
            if (!reached[i])
            {
                reached[i] = true;
                queue.Enqueue(i);
            }
        }

        Visit(nodes.Count);
        while (queue.Count > 0)
        {
            var current = successors[queue.Dequeue()];
            if (current.AnyNode)
            {
                foreach (var i in index.Values)
                {
                    Visit(i);
                }
            }

            foreach (var next in current.Next)
            {
                Visit(next);
            }
        }

        return reached;
    }

    private static void CheckPathsToEnd(TopologyGraph graph, Outgoing[] successors, bool[] reached, bool[] misnamed, bool judgeReachability, Action<Diagnostic> report)
    {
        var nodes = graph.Nodes;

        // A node can finish when it leads to End, may go anywhere, or has no way out at all (a dead end, reported as
        // such); every node that leads to one that can finish can finish too.
        var finishes = new bool[nodes.Count];
        var predecessors = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            predecessors[i] = [];
        }

        var queue = new Queue<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var outgoing = successors[i];
            foreach (var next in outgoing.Next)
            {
                predecessors[next].Add(i);
            }

            if (outgoing.Ends || outgoing.Open || !outgoing.Any)
            {
                finishes[i] = true;
                queue.Enqueue(i);
            }
        }

        while (queue.Count > 0)
        {
            foreach (var previous in predecessors[queue.Dequeue()])
            {
                if (!finishes[previous])
                {
                    finishes[previous] = true;
                    queue.Enqueue(previous);
                }
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            // Unreachable nodes are reported as such; once reachability is unknown, every node is judged on its own.
            if (misnamed[i] || (judgeReachability && !reached[i]))
            {
                continue;
            }

            var node = nodes[i];
            if (!successors[i].Any)
            {
                var fix = graph.Dialect == GraphDialect.Attributes
                    ? "add [Edge(Graph.End)] to make the stop explicit, or an edge to the node that should run next"
                    : $"add AddEdge(\"{node.Name}\", Graph.End) to make the stop explicit, or an edge to the node that should run next";
                report(Diagnostic.Create(DiagnosticDescriptors.NoPathToEnd, node.Location,
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.DeadEndProperty, "true"),
                    $"Node '{node.Name}' of graph '{graph.Name}' is a dead end: nothing follows it, so its branch stops without reaching End. If that is deliberate, {fix}."));
            }
            else if (!finishes[i])
            {
                report(Diagnostic.Create(DiagnosticDescriptors.NoPathToEnd, node.Location,
                    $"No path from node '{node.Name}' of graph '{graph.Name}' reaches End: every way on from it loops, so a run that gets there ends in the recursion limit. " +
                    "Add an edge or a router target to Graph.End on the loop."));
            }
        }
    }

    private sealed class Outgoing
    {
        /// <summary>The nodes it leads to.</summary>
        public List<int> Next { get; } = [];

        /// <summary>Whether it has any way out (an edge, join, route or destination, valid or not).</summary>
        public bool Any { get; set; }

        /// <summary>Whether it leads to End.</summary>
        public bool Ends { get; set; }

        /// <summary>Whether it may go somewhere the analysis cannot follow (any node, a Command, an unknown name).</summary>
        public bool Open { get; set; }

        /// <summary>Whether a router of it may return any node.</summary>
        public bool AnyNode { get; set; }
    }
}
