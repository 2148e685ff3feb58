using DashFlow.Generators.Helpers;

namespace DashFlow.Generators.Graph;

// The plain-data description of one [Graph<TState>] class: what the parser read and what the emitter writes. It holds
// only strings, enums, bools, numbers and equatable arrays, so the incremental pipeline can compare it by value, and an
// analyzer can reuse it to report the problems it lists.

/// <summary>How much of a graph the generator can emit.</summary>
internal enum GraphEmitKind
{
    /// <summary>Nothing: a partial declaration would not compile (the class or a containing type is not partial, or is file-local).</summary>
    Nothing,

    /// <summary>
    /// Only the static members (node ids, <c>Target</c>, the shape): the state is not a graph state, or the class is
    /// generic or static. User code that names <c>Target</c> or <c>NodeIds</c> keeps compiling.
    /// </summary>
    Declarations,

    /// <summary>Everything, <c>CreateBuilder()</c> and <c>Compile()</c> included.</summary>
    Full,
}

/// <summary>What the first parameter of a node is.</summary>
internal enum NodeInputKind
{
    /// <summary>The graph's state.</summary>
    State,

    /// <summary>Another type: the node is reached through <c>Send</c> and receives the Send's argument.</summary>
    Arg,
}

/// <summary>What a node method returns, once unwrapped from its task.</summary>
internal enum NodeReturnKind
{
    /// <summary>A state update (the state's <c>Update</c> or <c>StateUpdate&lt;TState&gt;</c>).</summary>
    Update,

    /// <summary>A <c>Command&lt;TState&gt;</c>.</summary>
    Command,

    /// <summary>Nothing.</summary>
    Void,
}

/// <summary>The task a node's or router's result is wrapped in.</summary>
internal enum AsyncKind
{
    /// <summary>None: the method is synchronous.</summary>
    None,

    /// <summary><c>Task</c> or <c>Task&lt;T&gt;</c>.</summary>
    Task,

    /// <summary><c>ValueTask</c> or <c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTask,
}

/// <summary>What a router method returns.</summary>
internal enum RouterReturnKind
{
    /// <summary>One generated <c>Target</c>.</summary>
    Target,

    /// <summary>An <c>IEnumerable&lt;Target&gt;</c> or a type implementing it.</summary>
    Targets,

    /// <summary>One <c>Send</c>.</summary>
    Send,

    /// <summary>An <c>IEnumerable&lt;Send&gt;</c> or a type implementing it.</summary>
    Sends,

    /// <summary>A node name (<c>string</c>).</summary>
    Name,

    /// <summary>An <c>IEnumerable&lt;string&gt;</c> of node names or a type implementing it.</summary>
    Names,
}

/// <summary>A mistake in a graph class, for analyzers to report. The generator reports nothing.</summary>
internal enum GraphProblemKind
{
    /// <summary>The graph class is not <c>partial</c>.</summary>
    GraphNotPartial,

    /// <summary>A type containing the graph class is not <c>partial</c>.</summary>
    ContainingTypeNotPartial,

    /// <summary>The graph class is file-local.</summary>
    GraphFileLocal,

    /// <summary>The graph class (or a type containing it) is generic.</summary>
    GraphGeneric,

    /// <summary>The graph class is static.</summary>
    GraphStatic,

    /// <summary>The state type is not a <c>[GraphState]</c> type.</summary>
    StateNotGraphState,

    /// <summary>A node method's signature is not supported; the node is left out of the graph.</summary>
    UnsupportedNodeSignature,

    /// <summary>A router method's signature is not supported; its routes are left out of the graph.</summary>
    UnsupportedRouterSignature,

    /// <summary>A <c>[Route]</c> names a method that is not a router.</summary>
    UnknownRouter,

    /// <summary>Two node methods share one name, so only the first gets a node id and a target.</summary>
    DuplicateNodeMethod,

    /// <summary>A node method is named <c>End</c>, which <c>Target.End</c> already means.</summary>
    NodeNamedEnd,

    /// <summary>A method is both a node and a router; it is treated as a node.</summary>
    NodeAndRouter,

    /// <summary>An edge, join, route or retry attribute is on a method that is not a node; it is ignored.</summary>
    AttributeOnNonNode,
}

/// <summary>A mistake found while reading a graph class.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Member">The method it is on (its name), or empty for the class itself.</param>
/// <param name="Message">A message that names the thing and says how to fix it.</param>
internal sealed record GraphProblem(GraphProblemKind Kind, string Member, string Message);

/// <summary>A type containing the graph class.</summary>
/// <param name="Keyword">Its declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">Its name as declared, with type parameters (<c>Outer&lt;T&gt;</c>).</param>
internal sealed record ContainingTypeModel(string Keyword, string Name);

/// <summary>A <c>[Retry]</c> attribute; a null value was not set and takes the <c>RetryPolicy</c> default.</summary>
internal sealed record RetryModel(
    int? MaxAttempts,
    int? InitialIntervalMilliseconds,
    double? BackoffFactor,
    int? MaxIntervalMilliseconds,
    bool? Jitter,
    EquatableArray<string> RetryOn);

/// <summary>A node's options from its attributes.</summary>
/// <param name="Defer">Whether the node is deferred.</param>
/// <param name="TimeoutMilliseconds">The per-attempt time limit; 0 or less for none.</param>
/// <param name="Destinations">Where its Commands may go (node names).</param>
/// <param name="Retry">Its retry policy, if any.</param>
internal sealed record NodeOptionsModel(bool Defer, int TimeoutMilliseconds, EquatableArray<string> Destinations, RetryModel? Retry)
{
    /// <summary>Whether the node needs a <c>NodeOptions</c> at all.</summary>
    public bool IsDefault => !Defer && TimeoutMilliseconds <= 0 && Destinations.Count == 0 && Retry is null;
}

/// <summary>How to call a node method.</summary>
/// <param name="Input">Whether the first parameter is the state or a Send argument.</param>
/// <param name="CancellationTokenIndex">The position of the <c>CancellationToken</c> parameter (1 or 2); -1 for none.</param>
/// <param name="ContextIndex">The position of the <c>NodeContext</c> parameter (1 or 2); -1 for none.</param>
/// <param name="ArgType">For an Arg node: the argument type, fully qualified, as declared (nullable annotation included).</param>
/// <param name="ArgTypeOf">For an Arg node: the argument type as <c>typeof</c> accepts it (no nullable reference annotation).</param>
/// <param name="Return">What the method returns.</param>
/// <param name="Async">The task it is wrapped in.</param>
/// <param name="ResultType">For an update: the update type, fully qualified, as declared.</param>
/// <param name="NullableResult">Whether the result (inside the task) is a nullable reference.</param>
internal sealed record NodeSignature(
    NodeInputKind Input,
    int CancellationTokenIndex,
    int ContextIndex,
    string? ArgType,
    string? ArgTypeOf,
    NodeReturnKind Return,
    AsyncKind Async,
    string? ResultType,
    bool NullableResult);

/// <summary>A node.</summary>
/// <param name="Name">The node's name (<c>[Node(Name = ...)]</c> or the method name).</param>
/// <param name="MethodName">The method's name.</param>
/// <param name="Identifier">The method's name as a C# identifier (a keyword escaped with <c>@</c>).</param>
/// <param name="IsStatic">Whether the method is static.</param>
/// <param name="HasMember">Whether the node gets a <c>NodeIds</c> constant and a <c>Target</c> member (false for a duplicate method name or a method named <c>End</c>).</param>
/// <param name="Signature">How to call it; null when its signature is not supported (the node is left out of the graph).</param>
/// <param name="Options">Its options.</param>
internal sealed record NodeModel(
    string Name,
    string MethodName,
    string Identifier,
    bool IsStatic,
    bool HasMember,
    NodeSignature? Signature,
    NodeOptionsModel Options)
{
    /// <summary>Whether the node is added to the graph.</summary>
    public bool IsSupported => Signature is not null;
}

/// <summary>A router method.</summary>
/// <param name="Name">The router's name (its method name).</param>
/// <param name="Identifier">The method's name as a C# identifier.</param>
/// <param name="IsStatic">Whether the method is static.</param>
/// <param name="Return">What it returns; null when its signature is not supported.</param>
/// <param name="TakesCancellationToken">Whether it takes a <c>CancellationToken</c> after the state.</param>
/// <param name="DeclaredTargets">The names it may return, resolved to node names; null when any node may be returned.</param>
/// <param name="NullableResult">Whether the result is a nullable reference.</param>
internal sealed record RouterModel(
    string Name,
    string Identifier,
    bool IsStatic,
    RouterReturnKind? Return,
    bool TakesCancellationToken,
    EquatableArray<string>? DeclaredTargets,
    bool NullableResult)
{
    /// <summary>Whether the router can be attached.</summary>
    public bool IsSupported => Return is not null;
}

/// <summary>A plain edge.</summary>
/// <param name="From">The source node, or <c>Graph.Start</c>'s value.</param>
/// <param name="To">The target node, or <c>Graph.End</c>'s value.</param>
internal sealed record EdgeModel(string From, string To);

/// <summary>A join edge.</summary>
/// <param name="From">The nodes that must all have run.</param>
/// <param name="To">The node that runs then.</param>
internal sealed record JoinModel(EquatableArray<string> From, string To);

/// <summary>A router attached to a node (a conditional edge).</summary>
/// <param name="From">The node the router runs after, or <c>Graph.Start</c>'s value.</param>
/// <param name="Router">The router's name (see <see cref="GraphModel.Routers"/>).</param>
internal sealed record RouteModel(string From, string Router);

/// <summary>One <c>[Graph&lt;TState&gt;]</c> class.</summary>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="Namespace">The class's namespace; empty for the global namespace.</param>
/// <param name="ContainingTypes">The types containing the class, outermost first.</param>
/// <param name="Keyword">The class's declaration keyword: <c>class</c> or <c>record</c>.</param>
/// <param name="Name">The class's name as declared, with type parameters.</param>
/// <param name="DisplayName">The class's simple name: the graph's name in messages and diagrams.</param>
/// <param name="FullyQualifiedName">The class, <c>global::</c>-qualified.</param>
/// <param name="StateType">The state type, <c>global::</c>-qualified.</param>
/// <param name="StateAccessibility">The widest accessibility a member that names the state may have.</param>
/// <param name="EmitKind">How much can be emitted.</param>
/// <param name="Nodes">The nodes in declaration order.</param>
/// <param name="Routers">The router methods in declaration order.</param>
/// <param name="Edges">Plain edges in declaration order.</param>
/// <param name="Joins">Join edges in declaration order.</param>
/// <param name="Routes">Router attachments in declaration order.</param>
/// <param name="Problems">What is wrong, for analyzers.</param>
internal sealed record GraphModel(
    string HintName,
    string Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string Keyword,
    string Name,
    string DisplayName,
    string FullyQualifiedName,
    string StateType,
    string StateAccessibility,
    GraphEmitKind EmitKind,
    EquatableArray<NodeModel> Nodes,
    EquatableArray<RouterModel> Routers,
    EquatableArray<EdgeModel> Edges,
    EquatableArray<JoinModel> Joins,
    EquatableArray<RouteModel> Routes,
    EquatableArray<GraphProblem> Problems);
