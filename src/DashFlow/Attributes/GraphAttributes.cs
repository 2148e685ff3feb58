namespace DashFlow;

/// <summary>
/// Marks a <c>partial</c> class as a graph over the state <typeparamref name="TState"/>. Its <see cref="NodeAttribute"/>
/// methods are the nodes; edge attributes connect them. The generator emits node ids, the routing table, typed router
/// targets, <c>Compile()</c> and the graph as Mermaid text.
/// </summary>
/// <typeparam name="TState">The graph's state, a <see cref="GraphStateAttribute"/> type.</typeparam>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GraphAttribute<TState> : Attribute
    where TState : class
{
}

/// <summary>
/// Marks a method of a graph class as a node. Supported signatures: the first parameter is the state (or, for a node
/// reached only through <see cref="Send"/>, the Send argument's type); optional further parameters are a
/// <see cref="CancellationToken"/> and a <see cref="NodeContext"/>. The return type is the state's <c>Update</c>, a
/// <see cref="Command{TState}"/>, or nothing, each optionally wrapped in <see cref="ValueTask{TResult}"/> or
/// <see cref="Task{TResult}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class NodeAttribute : Attribute
{
    /// <summary>The node's name; the method name when not set.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Holds the node's triggers until a superstep in which nothing else is triggered, then runs it once: a fan-in over
    /// branches of different lengths.
    /// </summary>
    public bool Defer { get; set; }

    /// <summary>A time limit for one attempt of the node, in milliseconds; 0 for none.</summary>
    public int TimeoutMilliseconds { get; set; }

    /// <summary>
    /// The nodes this node's <see cref="Command{TState}"/>s may go to: used to check reachability and to draw the graph.
    /// </summary>
    public string[] Destinations { get; set; } = [];
}

/// <summary>
/// An edge. On a node method, <c>[Edge(nameof(Next))]</c> runs <c>Next</c> after this node; several edges fan out.
/// <c>[Edge(From = Graph.Start)]</c> makes the node an entry point.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class EdgeAttribute : Attribute
{
    /// <summary>An edge from a node (given by <see cref="From"/>) to the method it is on.</summary>
    public EdgeAttribute()
    {
    }

    /// <summary>An edge from the method it is on to <paramref name="to"/>.</summary>
    /// <param name="to">The next node's name, or <see cref="Graph.End"/>.</param>
    public EdgeAttribute(string to) => To = to;

    /// <summary>The next node; null when the edge is declared with <see cref="From"/>.</summary>
    public string? To { get; }

    /// <summary>The node the edge comes from, usually <see cref="Graph.Start"/>; the method itself when not set.</summary>
    public string? From { get; set; }
}

/// <summary>
/// A join edge into the node it is on: the node runs once every named node has run since it last ran (a barrier that
/// re-arms after it fires).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class JoinAttribute : Attribute
{
    /// <summary>Declares the join.</summary>
    /// <param name="sources">The nodes that must all have run.</param>
    public JoinAttribute(params string[] sources) => Sources = sources;

    /// <summary>The nodes that must all have run.</summary>
    public IReadOnlyList<string> Sources { get; }
}

/// <summary>Attaches a router (a <see cref="RouterAttribute"/> method) to the node it is on: a conditional edge.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class RouteAttribute : Attribute
{
    /// <summary>Attaches the router.</summary>
    /// <param name="router">The router method's name.</param>
    public RouteAttribute(string router) => Router = router;

    /// <summary>The router method's name.</summary>
    public string Router { get; }
}

/// <summary>
/// Marks a method of a graph class as a router: it runs right after the node it is attached to (through
/// <see cref="RouteAttribute"/>), sees the state with only that node's own update applied, and returns the graph's
/// generated <c>Target</c> (one, or several as an <c>IEnumerable</c>), a <see cref="Send"/> or several Sends.
/// Supported parameters: the state, optionally followed by a <see cref="CancellationToken"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RouterAttribute : Attribute
{
    /// <summary>The node names (or <see cref="Graph.End"/>) the router may return. Any other value is an error.</summary>
    public string[] Targets { get; set; } = [];

    /// <summary>
    /// Attaches the router to a node without a <see cref="RouteAttribute"/> on it; <see cref="Graph.Start"/> makes the
    /// router choose the entry node (a conditional entry).
    /// </summary>
    public string? From { get; set; }
}

/// <summary>Retries the node it is on when an attempt fails. Writes of a failed attempt are discarded.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Attempts in all, the first included. At least 1.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The wait before the second attempt, in milliseconds.</summary>
    public int InitialIntervalMilliseconds { get; set; } = 500;

    /// <summary>The factor each wait is multiplied by.</summary>
    public double BackoffFactor { get; set; } = 2.0;

    /// <summary>The longest wait, in milliseconds.</summary>
    public int MaxIntervalMilliseconds { get; set; } = 128_000;

    /// <summary>Whether waits are randomized (up to +25%) so that many runs do not retry in lockstep.</summary>
    public bool Jitter { get; set; } = true;

    /// <summary>The exception types that retry (and their subtypes); when empty, <see cref="RetryPolicy.DefaultRetryOn"/> decides.</summary>
    public Type[] RetryOn { get; set; } = [];
}
