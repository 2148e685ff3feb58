using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers;

/// <summary>
/// Every DashFlow diagnostic. Ids are <c>DFLOW</c> and four digits in bands: 00xx state (and the partial declarations the
/// generators need), 01xx topology, 02xx routing, 03xx nodes, 04xx persistence. Each id has a page
/// <c>docs/diagnostics/DFLOWnnnn.md</c> and a line in <c>AnalyzerReleases.Unshipped.md</c>.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string TypeNotPartialId = "DFLOW0001";
    public const string ReducerDoesNotFitId = "DFLOW0002";
    public const string MutableCollectionId = "DFLOW0003";
    public const string NotSerializableId = "DFLOW0004";
    public const string UnsupportedFieldTypeId = "DFLOW0005";
    public const string StateNotGeneratableId = "DFLOW0006";
    public const string GraphNotGeneratableId = "DFLOW0007";
    public const string StateNotGraphStateId = "DFLOW0008";

    public const string UnreachableNodeId = "DFLOW0101";
    public const string NoPathToEndId = "DFLOW0102";
    public const string UnknownNodeId = "DFLOW0103";
    public const string NoEntryId = "DFLOW0104";
    public const string InvalidNodeNameId = "DFLOW0105";
    public const string EdgeIntoStartOrOutOfEndId = "DFLOW0106";
    public const string ParallelReplaceWriteId = "DFLOW0107";

    public const string UnknownRouterTargetId = "DFLOW0201";
    public const string UndeclaredRouterReturnId = "DFLOW0202";
    public const string UnattachedRouterId = "DFLOW0203";
    public const string RouteToNonRouterId = "DFLOW0204";
    public const string UnsupportedRouterSignatureId = "DFLOW0205";

    public const string UnsupportedNodeSignatureId = "DFLOW0301";
    public const string NodeAndRouterId = "DFLOW0302";
    public const string AttributeOnNonNodeId = "DFLOW0303";
    public const string NodeNamedEndId = "DFLOW0304";
    public const string InterruptWithoutCheckpointerId = "DFLOW0305";

    /// <summary>Property of a DFLOW0103/DFLOW0201 diagnostic: the one node name that matches the misspelled one when case is ignored.</summary>
    public const string SuggestionProperty = "Suggestion";

    /// <summary>Property of a DFLOW0102 diagnostic: "true" when the node has no outgoing edge at all (a dead end).</summary>
    public const string DeadEndProperty = "DeadEnd";

    /// <summary>Property of a DFLOW0107 diagnostic: the reducer that fits the field's type (Append, Union, Merge), if one does.</summary>
    public const string ReducerProperty = "Reducer";

    /// <summary>Property of a DFLOW0107 diagnostic: the field's name.</summary>
    public const string FieldProperty = "Field";

    /// <summary>
    /// Where the pages live: <c>docs/diagnostics/</c> of the DashFlow repository, relative to its root. The project has no
    /// published address yet; when it does, this becomes that address.
    /// </summary>
    private const string HelpLinkBase = "docs/diagnostics/";

    private const string State = "DashFlow.State";
    private const string Topology = "DashFlow.Topology";
    private const string Routing = "DashFlow.Routing";
    private const string Nodes = "DashFlow.Nodes";

    public static readonly DiagnosticDescriptor TypeNotPartial = Create(
        TypeNotPartialId, "A state or graph type must be partial", "{0}", State, DiagnosticSeverity.Error,
        "The generators add members to every [GraphState] and [Graph<TState>] type, and to the types they are nested in, through a partial declaration.");

    public static readonly DiagnosticDescriptor ReducerDoesNotFit = Create(
        ReducerDoesNotFitId, "The reducer does not fit the field's type", "{0}", State, DiagnosticSeverity.Error,
        "A built-in reducer works on certain types only (Append on immutable lists, Sum on numbers, ...); a custom reducer must implement IReducer<T> for the field's type. Otherwise the field's merge fails at run time.");

    public static readonly DiagnosticDescriptor MutableCollection = Create(
        MutableCollectionId, "A state field has a mutable collection type", "{0}", State, DiagnosticSeverity.Warning,
        "Every node of a superstep reads the same state snapshot; a mutable collection in it can be changed by one node while another reads it, and changes made in place bypass the reducers.");

    public static readonly DiagnosticDescriptor NotSerializable = Create(
        NotSerializableId, "A state field has a type that checkpoints cannot store", "{0}", State, DiagnosticSeverity.Warning,
        "A checkpoint stores the state as data. Delegates, tasks, native handles, reflection objects, streams, cancellation tokens and untyped 'object' fields cannot be written and read back.");

    public static readonly DiagnosticDescriptor UnsupportedFieldType = Create(
        UnsupportedFieldTypeId, "A state field has a type a state cannot hold", "{0}", State, DiagnosticSeverity.Error,
        "Pointers, function pointers, ref structs and dynamic cannot be stored in a state object; nothing is generated for the state.");

    public static readonly DiagnosticDescriptor StateNotGeneratable = Create(
        StateNotGeneratableId, "The state type cannot be completed by the generator", "{0}", State, DiagnosticSeverity.Error,
        "A [GraphState] type must be a non-generic, non-file-local class or record that the graph can create with new(), and must leave the names Update and Schema to the generator.");

    public static readonly DiagnosticDescriptor GraphNotGeneratable = Create(
        GraphNotGeneratableId, "The graph class cannot be completed by the generator", "{0}", State, DiagnosticSeverity.Error,
        "A [Graph<TState>] class must be a non-generic, non-static, non-file-local class, so that the generator can add Compile() and the routing table.");

    public static readonly DiagnosticDescriptor StateNotGraphState = Create(
        StateNotGraphStateId, "The graph's state is not a [GraphState] type", "{0}", State, DiagnosticSeverity.Error,
        "The state of a [Graph<TState>] class must be a [GraphState] type, whose generated merge the engine runs.");

    public static readonly DiagnosticDescriptor UnreachableNode = Create(
        UnreachableNodeId, "A node cannot be reached from Start", "{0}", Topology, DiagnosticSeverity.Error,
        "No edge, join, router target or Command destination leads from Start to the node, so it never runs; compiling the graph fails with a GraphValidationException.");

    public static readonly DiagnosticDescriptor NoPathToEnd = Create(
        NoPathToEndId, "A node has no path to End", "{0}", Topology, DiagnosticSeverity.Warning,
        "A node without any outgoing edge stops its branch without saying so; a node whose every path loops never reaches End and runs into the recursion limit. An explicit edge to Graph.End marks a deliberate stop.");

    public static readonly DiagnosticDescriptor UnknownNode = Create(
        UnknownNodeId, "An edge names an unknown node", "{0}", Topology, DiagnosticSeverity.Error,
        "An edge, join, Command destination or router source names a node the graph does not have; compiling the graph fails with a GraphValidationException.");

    public static readonly DiagnosticDescriptor NoEntry = Create(
        NoEntryId, "The graph has no entry edge", "{0}", Topology, DiagnosticSeverity.Error,
        "A run starts at the nodes that Graph.Start leads to; without an edge or router from Start, compiling the graph fails with a GraphValidationException.");

    public static readonly DiagnosticDescriptor InvalidNodeName = Create(
        InvalidNodeNameId, "A node name is duplicated or not allowed", "{0}", Topology, DiagnosticSeverity.Error,
        "Node names must be unique, non-empty, free of '|' and ':' (they separate subgraph namespaces), and must not be Graph.Start or Graph.End.");

    public static readonly DiagnosticDescriptor EdgeIntoStartOrOutOfEnd = Create(
        EdgeIntoStartOrOutOfEndId, "An edge leads into Start or out of End", "{0}", Topology, DiagnosticSeverity.Error,
        "Graph.Start only has outgoing edges and Graph.End only incoming ones; a join waits for nodes, never for Start or End.");

    public static readonly DiagnosticDescriptor ParallelReplaceWrite = Create(
        ParallelReplaceWriteId, "Two nodes of one superstep write a field that has no reducer", "{0}", Topology, DiagnosticSeverity.Warning,
        "A Replace field (a field without a reducer) takes at most one write per superstep. When two nodes that can run in the same superstep both write it, the superstep fails at the barrier with an InvalidUpdateException.");

    public static readonly DiagnosticDescriptor UnknownRouterTarget = Create(
        UnknownRouterTargetId, "A router declares an unknown target", "{0}", Routing, DiagnosticSeverity.Error,
        "Every declared router target must be a node of the graph or Graph.End.");

    public static readonly DiagnosticDescriptor UndeclaredRouterReturn = Create(
        UndeclaredRouterReturnId, "A router returns a target it does not declare", "{0}", Routing, DiagnosticSeverity.Error,
        "A router that declares its targets may only return those; returning another one fails the run when it happens.");

    public static readonly DiagnosticDescriptor UnattachedRouter = Create(
        UnattachedRouterId, "A router is attached to no node", "{0}", Routing, DiagnosticSeverity.Warning,
        "A [Router] method runs only after a node that names it in [Route], or after the node its From names; otherwise it never runs.");

    public static readonly DiagnosticDescriptor RouteToNonRouter = Create(
        RouteToNonRouterId, "A route names a method that is not a router", "{0}", Routing, DiagnosticSeverity.Error,
        "[Route] takes the name of a [Router] method of the same graph class; the route is left out of the graph.");

    public static readonly DiagnosticDescriptor UnsupportedRouterSignature = Create(
        UnsupportedRouterSignatureId, "A router method has an unsupported signature", "{0}", Routing, DiagnosticSeverity.Error,
        "A router takes the state, optionally followed by a CancellationToken, and returns Target, IEnumerable<Target>, Send, IEnumerable<Send>, string or IEnumerable<string>.");

    public static readonly DiagnosticDescriptor UnsupportedNodeSignature = Create(
        UnsupportedNodeSignatureId, "A node method has an unsupported signature", "{0}", Nodes, DiagnosticSeverity.Error,
        "A node takes the state (or, for a node reached through Send, the Send argument), then optionally a CancellationToken and a NodeContext, and returns the state's Update, a Command, or nothing, optionally as a Task or ValueTask.");

    public static readonly DiagnosticDescriptor NodeAndRouter = Create(
        NodeAndRouterId, "A method is both a node and a router", "{0}", Nodes, DiagnosticSeverity.Warning,
        "A method marked [Node] and [Router] is used as a node only.");

    public static readonly DiagnosticDescriptor AttributeOnNonNode = Create(
        AttributeOnNonNodeId, "A graph attribute is on a method that is not a node", "{0}", Nodes, DiagnosticSeverity.Warning,
        "[Edge], [Join], [Route] and [Retry] take effect on [Node] methods only; elsewhere they are ignored.");

    public static readonly DiagnosticDescriptor NodeNamedEnd = Create(
        NodeNamedEndId, "A node method is named End", "{0}", Nodes, DiagnosticSeverity.Error,
        "The generated Target enum has a member End for Graph.End, so a node method named End gets no Target member and no NodeIds constant.");

    public static readonly DiagnosticDescriptor InterruptWithoutCheckpointer = Create(
        InterruptWithoutCheckpointerId, "A graph whose nodes interrupt is compiled without a checkpointer", "{0}", Nodes, DiagnosticSeverity.Warning,
        "NodeContext.Interrupt stores the run in a checkpoint until it is resumed. A graph compiled without CompileOptions.Checkpointer, and run without RunConfig.Checkpointer, fails with a CheckpointerRequiredException as soon as a node interrupts.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description, helpLinkUri: HelpLinkBase + id + ".md");
}
