using System.ComponentModel;
using System.Runtime.CompilerServices;
using DashFlow.Internals;

namespace DashFlow;

/// <summary>
/// Builds a graph whose shape is known only at run time. It runs on the same engine as attribute graphs; every problem
/// (unknown node, unreachable node, missing entry, undeclared router target) is reported at <see cref="Compile"/>, in one
/// <see cref="GraphValidationException"/>.
/// </summary>
/// <typeparam name="TState">The state type, a <see cref="GraphStateAttribute"/> type.</typeparam>
/// <example><code>
/// var app = new StateGraph&lt;MyState&gt;()
///     .AddNode("plan", s =&gt; new MyState.Update { Step = 1 })
///     .AddNode("act", s =&gt; new MyState.Update { Step = 2 })
///     .AddEdge(Graph.Start, "plan")
///     .AddEdge("plan", "act")
///     .Compile();
/// </code></example>
public sealed class StateGraph<TState>
    where TState : class, IGraphState<TState>
{
    private readonly List<NodeSpec> _nodes = [];
    private readonly List<(string From, string To)> _edges = [];
    private readonly List<(string[] From, string To)> _joins = [];
    private readonly List<RouteSpec> _routes = [];
    private readonly List<string> _problems = [];

    /// <summary>Creates an empty graph.</summary>
    /// <param name="name">A name for messages and diagrams.</param>
    public StateGraph(string? name = null) => Name = name ?? typeof(TState).Name + "Graph";

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>Adds a node that returns an update (or null for none).</summary>
    /// <remarks>Preferred over the command form when a lambda fits both (<c>s =&gt; null</c>, <c>s =&gt; throw ...</c>).</remarks>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    [OverloadResolutionPriority(1)]
    public StateGraph<TState> AddNode(string name, Func<TState, StateUpdate<TState>?> node, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AddNodeCore(name, (s, _) => new ValueTask<NodeResult<TState>>(node(s)), options, isAsync: false, argType: null);
    }

    /// <summary>Adds a node that returns a command.</summary>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddNode(string name, Func<TState, Command<TState>> node, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AddNodeCore(name, (s, _) => new ValueTask<NodeResult<TState>>(node(s)), options, isAsync: false, argType: null);
    }

    /// <summary>Adds an asynchronous node that returns an update (or null for none).</summary>
    /// <remarks>
    /// Preferred over the <see cref="NodeHandler{TState}"/> form when a lambda fits both, that is when it does not use
    /// <see cref="NodeContext"/>'s members.
    /// </remarks>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    [OverloadResolutionPriority(1)]
    public StateGraph<TState> AddNode(string name, Func<TState, CancellationToken, ValueTask<StateUpdate<TState>?>> node, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AddNodeCore(name, (s, c) => NodeAdapters.FromUpdate(node(s, c.CancellationToken)), options, isAsync: true, argType: null);
    }

    /// <summary>Adds a node in the general form: it gets the task's <see cref="NodeContext"/> and returns a <see cref="NodeResult{TState}"/>.</summary>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddNode(string name, NodeHandler<TState> node, NodeOptions? options = null) =>
        AddNodeCore(name, node, options, isAsync: true, argType: null);

    /// <summary>
    /// Adds a node reached through <see cref="Send"/> whose input is the Send's argument of type <typeparamref name="TArg"/>
    /// instead of the state (the map step of map-reduce).
    /// </summary>
    /// <typeparam name="TArg">The Send argument's type.</typeparam>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddNode<TArg>(string name, Func<TArg, StateUpdate<TState>?> node, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AddNodeCore(name, (_, c) => new ValueTask<NodeResult<TState>>(node(NodeAdapters.Arg<TArg>(c))), options, isAsync: false, argType: typeof(TArg));
    }

    /// <summary>Adds an asynchronous node reached through <see cref="Send"/> whose input is the Send's argument.</summary>
    /// <typeparam name="TArg">The Send argument's type.</typeparam>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="node">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddNode<TArg>(string name, Func<TArg, CancellationToken, ValueTask<StateUpdate<TState>?>> node, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AddNodeCore(name, (_, c) => NodeAdapters.FromUpdate(node(NodeAdapters.Arg<TArg>(c), c.CancellationToken)), options, isAsync: true, argType: typeof(TArg));
    }

    /// <summary>Adds a compiled graph as a node. Its state maps through the fields both states share, by name.</summary>
    /// <remarks>
    /// The subgraph starts from the parent's values of the shared fields (the others at their defaults) and hands back
    /// only what it changed, each through the parent field's reducer: a Replace field it changed is written, an Append
    /// field gets the items it added, a Sum field the difference. When it changes no shared field, the node writes
    /// nothing. A failure inside the subgraph fails this node (<see cref="NodeFailedException"/>, with the subgraph's
    /// error inside).
    /// </remarks>
    /// <typeparam name="TChild">The subgraph's state type.</typeparam>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="subgraph">The compiled subgraph.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddSubgraph<TChild>(string name, CompiledGraph<TChild> subgraph, NodeOptions? options = null)
        where TChild : class, IGraphState<TChild>
    {
        ArgumentNullException.ThrowIfNull(subgraph);
        var mapping = SharedFieldMapping<TState, TChild>.Create(name);
        return AddSubgraphCore(name, subgraph, mapping.ToChild, mapping.ToParent, mapping.Refresh, options);
    }

    /// <summary>Adds a compiled graph as a node with an explicit mapping of the states.</summary>
    /// <typeparam name="TChild">The subgraph's state type.</typeparam>
    /// <param name="name">The node's name, unique in the graph.</param>
    /// <param name="subgraph">The compiled subgraph.</param>
    /// <param name="input">Builds the subgraph's input from the parent's state.</param>
    /// <param name="output">Turns the subgraph's input and final state into the parent's update.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddSubgraph<TChild>(
        string name,
        CompiledGraph<TChild> subgraph,
        Func<TState, TChild> input,
        Func<TChild, TChild, StateUpdate<TState>?> output,
        NodeOptions? options = null)
        where TChild : class, IGraphState<TChild>
    {
        ArgumentNullException.ThrowIfNull(subgraph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return AddSubgraphCore(name, subgraph, input, output, static child => SharedFieldMapping<TState, TChild>.RefreshFields(child, null), options);
    }

    private StateGraph<TState> AddSubgraphCore<TChild>(
        string name,
        CompiledGraph<TChild> subgraph,
        Func<TState, TChild> input,
        Func<TChild, TChild, StateUpdate<TState>?> output,
        Func<TChild, StateUpdate<TChild>> refresh,
        NodeOptions? options)
        where TChild : class, IGraphState<TChild>
    {
        NodeHandler<TState> handler = async (state, context) =>
        {
            var childInput = input(state);
            if (context.Subgraph is not { } link)
            {
                // The parent keeps no checkpoints: the subgraph runs like a function call.
                var config = new RunConfig { ThreadId = context.ThreadId is null ? null : context.ThreadId + "|" + context.Node + ":" + context.Task };
                var stream = context.SubgraphStream(null);
                var result = stream is null
                    ? await subgraph.InvokeAsync(childInput, config, context.CancellationToken).ConfigureAwait(false)
                    : await subgraph.InvokeAsChildAsync(childInput, config, stream, context.CancellationToken).ConfigureAwait(false);
                return output(childInput, result);
            }

            // Checkpointed parent: the subgraph's checkpoints live under this task's namespace of the parent's thread, and
            // its interrupts become this task's, so resuming the parent resumes the subgraph with the answer.
            var (final, stopped, repeated) = await subgraph.RunAsSubgraphAsync(childInput, refresh, link, context.SubgraphStream, context.CancellationToken).ConfigureAwait(false);
            if (stopped.Count > 0)
            {
                var number = repeated ? link.Raised : link.Raised + 1;
                throw new InterruptSignal(number, stopped.Count == 1 ? stopped[0].Value : stopped);
            }

            return output(childInput, final);
        };
        AddNodeCore(name, handler, options, isAsync: true, argType: null);
        _nodes[^1] = _nodes[^1] with { IsSubgraph = true };
        return this;
    }

    /// <summary>Adds an edge: after <paramref name="from"/> runs, <paramref name="to"/> runs in the next superstep.</summary>
    /// <param name="from">The source node, or <see cref="Graph.Start"/>.</param>
    /// <param name="to">The target node, or <see cref="Graph.End"/>.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddEdge(string from, string to)
    {
        _edges.Add((from, to));
        return this;
    }

    /// <summary>Adds a join edge: <paramref name="to"/> runs once every node of <paramref name="from"/> has run since it last ran.</summary>
    /// <param name="from">The nodes that must all have run.</param>
    /// <param name="to">The target node.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddEdge(IEnumerable<string> from, string to)
    {
        _joins.Add(([.. from], to));
        return this;
    }

    /// <summary>Sets the entry node: the same as <c>AddEdge(Graph.Start, node)</c>.</summary>
    /// <param name="node">The node.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> SetEntryPoint(string node) => AddEdge(Graph.Start, node);

    /// <summary>Sets a finish node: the same as <c>AddEdge(node, Graph.End)</c>.</summary>
    /// <param name="node">The node.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> SetFinishPoint(string node) => AddEdge(node, Graph.End);

    /// <summary>Adds a conditional edge: after <paramref name="source"/> runs, <paramref name="router"/> picks the next node.</summary>
    /// <param name="source">The node the router runs after, or <see cref="Graph.Start"/>.</param>
    /// <param name="router">Returns a node name or <see cref="Graph.End"/>. It sees the state with only the source's update applied.</param>
    /// <param name="targets">The names it may return; when null, any node.</param>
    /// <param name="name">The router's name in messages and diagrams.</param>
    /// <returns>This builder.</returns>
    /// <remarks>Preferred over the other router forms when a lambda fits several (<c>s =&gt; throw ...</c>).</remarks>
    [OverloadResolutionPriority(1)]
    public StateGraph<TState> AddConditionalEdges(string source, Func<TState, string> router, IEnumerable<string>? targets = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        return AddRouter(source, name ?? source + ".router", targets is null ? null : [.. targets], (s, _) => RouteResult.ToName(router(s)));
    }

    /// <summary>Adds a conditional edge whose router may pick several next nodes (a dynamic fan-out).</summary>
    /// <param name="source">The node the router runs after, or <see cref="Graph.Start"/>.</param>
    /// <param name="router">Returns node names (or <see cref="Graph.End"/>).</param>
    /// <param name="targets">The names it may return; when null, any node.</param>
    /// <param name="name">The router's name in messages and diagrams.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddConditionalEdges(string source, Func<TState, IEnumerable<string>> router, IEnumerable<string>? targets = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        return AddRouter(source, name ?? source + ".router", targets is null ? null : [.. targets], (s, _) => RouteResult.ToNames(router(s)));
    }

    /// <summary>Adds a conditional edge whose router returns <see cref="Send"/>s: one task per Send (map-reduce).</summary>
    /// <param name="source">The node the router runs after, or <see cref="Graph.Start"/>.</param>
    /// <param name="router">Returns the Sends.</param>
    /// <param name="targets">The nodes the Sends may name; when null, any node.</param>
    /// <param name="name">The router's name in messages and diagrams.</param>
    /// <returns>This builder.</returns>
    public StateGraph<TState> AddConditionalEdges(string source, Func<TState, IEnumerable<Send>> router, IEnumerable<string>? targets = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        return AddRouter(source, name ?? source + ".router", targets is null ? null : [.. targets], (s, _) => RouteResult.ToSends(router(s)));
    }

    /// <summary>Adds a node in the engine's terms. For generated code.</summary>
    /// <param name="name">The node's name.</param>
    /// <param name="handler">The node.</param>
    /// <param name="options">Deferral, retries, timeout.</param>
    /// <param name="isAsync">Whether the node may complete asynchronously.</param>
    /// <param name="argType">The Send argument type for a node whose input is not the state; otherwise null.</param>
    /// <returns>This builder.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public StateGraph<TState> AddNodeCore(string name, NodeHandler<TState> handler, NodeOptions? options, bool isAsync, Type? argType)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (string.IsNullOrWhiteSpace(name))
        {
            _problems.Add("A node has an empty name.");
        }
        else if (name is Graph.Start or Graph.End)
        {
            _problems.Add($"A node is named '{name}', which is reserved for the graph's {Graph.Display(name)}; rename the node.");
        }
        else if (_nodes.Exists(n => n.Name == name))
        {
            _problems.Add($"Node '{name}' is added twice; node names must be unique.");
        }
        else if (name.Contains('|', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
        {
            _problems.Add($"Node '{name}' has '|' or ':' in its name; these separate subgraph namespaces, so rename the node.");
        }

        options?.Retry?.Validate(name);
        _nodes.Add(new NodeSpec(name, handler, options ?? s_defaultOptions, isAsync, argType, false));
        return this;
    }

    /// <summary>Adds a router in the engine's terms. For generated code.</summary>
    /// <param name="source">The node the router runs after, or <see cref="Graph.Start"/>.</param>
    /// <param name="routerName">The router's name.</param>
    /// <param name="targets">The declared targets (indexes in <see cref="RouteResult"/> refer to these); null for any node.</param>
    /// <param name="handler">The router.</param>
    /// <returns>This builder.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public StateGraph<TState> AddRouter(string source, string routerName, string[]? targets, RouterHandler<TState> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _routes.Add(new RouteSpec(source, routerName, targets, handler));
        return this;
    }

    /// <summary>The topology as it stands, for diagrams.</summary>
    /// <returns>The shape.</returns>
    public GraphShape ToShape() => new(
        Name,
        [.. _nodes.Select(n => new GraphShape.Node(n.Name, n.Options.Defer, n.IsSubgraph))],
        [.. _edges.Select(e => new GraphShape.Edge(e.From, e.To))],
        [.. _joins.Select(j => new GraphShape.Join(j.From, j.To))],
        [.. _routes.Select(r => new GraphShape.Route(r.Source, r.Name, r.Targets ?? []))]);

    /// <summary>Checks the graph and compiles it into an immutable, thread-safe runnable graph.</summary>
    /// <param name="options">Settings fixed at compile time.</param>
    /// <returns>The compiled graph.</returns>
    /// <exception cref="GraphValidationException">The graph cannot work; every problem is listed.</exception>
    public CompiledGraph<TState> Compile(CompileOptions? options = null)
    {
        var definition = GraphDefinition<TState>.Build(
            options?.Name ?? Name, _nodes, _edges, _joins, _routes, _problems, options?.TimeProvider ?? TimeProvider.System);
        return new CompiledGraph<TState>(definition, ToShape() with { Name = options?.Name ?? Name }, options);
    }

    private static readonly NodeOptions s_defaultOptions = new();

    internal sealed record NodeSpec(string Name, NodeHandler<TState> Handler, NodeOptions Options, bool IsAsync, Type? ArgType, bool IsSubgraph);

    internal sealed record RouteSpec(string Source, string Name, string[]? Targets, RouterHandler<TState> Handler);
}
