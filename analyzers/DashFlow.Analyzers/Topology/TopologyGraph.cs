using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Topology;

/// <summary>How a graph was written, which decides how a message tells the user to fix it.</summary>
internal enum GraphDialect
{
    /// <summary>A <c>[Graph&lt;TState&gt;]</c> class with node methods and edge attributes.</summary>
    Attributes,

    /// <summary>A fluent <c>StateGraph&lt;TState&gt;</c> chain with constant node names.</summary>
    Builder,
}

/// <summary>What a router may return, which decides what can run together after it.</summary>
internal enum RouteKind
{
    /// <summary>One target (a <c>Target</c>, a node name or one <c>Send</c>).</summary>
    One,

    /// <summary>Several targets at once (a sequence of <c>Target</c>s or names): a dynamic fan-out.</summary>
    Many,

    /// <summary>Several <c>Send</c>s: one task per Send, so one node may run several times in a superstep.</summary>
    Sends,
}

/// <summary>A node name as written somewhere, resolved to the node it stands for, with where it was written.</summary>
/// <param name="Value">The node's name (a method name already mapped to its node), or Graph.Start/Graph.End's value.</param>
/// <param name="Location">Where the name is written; the node's own location for an implicit end of an edge.</param>
/// <param name="Written">Whether the name is written at <paramref name="Location"/> (false: it is implied, for example the node an [Edge] is on).</param>
internal readonly record struct NameRef(string Value, Location Location, bool Written = true);

/// <summary>A node of a graph under analysis.</summary>
internal sealed class TopologyNode(string name, Location location)
{
    /// <summary>The node's name.</summary>
    public string Name { get; } = name;

    /// <summary>Where the node is declared: the method's name, or the name argument of AddNode.</summary>
    public Location Location { get; } = location;

    /// <summary>
    /// Whether the node may decide at run time where to go (it returns a Command, or its handler can): it can always
    /// end its branch, so it is never a dead end.
    /// </summary>
    public bool MayCommand { get; set; }

    /// <summary>Whether the node is deferred.</summary>
    public bool Defer { get; set; }

    /// <summary>The declared Command destinations.</summary>
    public List<NameRef> Destinations { get; } = [];

    /// <summary>The Replace fields the node writes, with where (object initializers of the state's Update).</summary>
    public Dictionary<string, Location> ReplaceWrites { get; } = new(StringComparer.Ordinal);
}

/// <summary>A plain edge.</summary>
internal sealed record TopologyEdge(NameRef From, NameRef To);

/// <summary>A join edge.</summary>
internal sealed record TopologyJoin(IReadOnlyList<NameRef> Sources, NameRef To);

/// <summary>A router attached to a node (or to Start).</summary>
/// <param name="From">The node it runs after.</param>
/// <param name="Router">The router's name, for messages.</param>
/// <param name="Targets">Its declared targets; null when it may return any node or End.</param>
/// <param name="Kind">What it returns.</param>
internal sealed record TopologyRoute(NameRef From, string Router, IReadOnlyList<NameRef>? Targets, RouteKind Kind);

/// <summary>
/// A graph's topology as names and locations, from either dialect; <see cref="TopologyChecker"/> and
/// <see cref="ParallelWriteChecker"/> report its mistakes.
/// </summary>
internal sealed class TopologyGraph(string name, Location location, GraphDialect dialect)
{
    public string Name { get; } = name;

    /// <summary>Where to report graph-wide problems (no entry).</summary>
    public Location Location { get; } = location;

    public GraphDialect Dialect { get; } = dialect;

    public List<TopologyNode> Nodes { get; } = [];

    public List<TopologyEdge> Edges { get; } = [];

    public List<TopologyJoin> Joins { get; } = [];

    public List<TopologyRoute> Routes { get; } = [];

    /// <summary>Names that also count as known (method names of attribute graphs that map to a node), for suggestions.</summary>
    public HashSet<string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether reachability can be judged: false when something can lead to a node in a way the analyzer cannot see
    /// (Command destinations that are not constants).
    /// </summary>
    public bool ReachabilityKnown { get; set; } = true;

    /// <summary>
    /// Whether every node's deferral is known: false when a builder node's options cannot be read, which leaves open
    /// which nodes run together.
    /// </summary>
    public bool DeferKnown { get; set; } = true;
}
