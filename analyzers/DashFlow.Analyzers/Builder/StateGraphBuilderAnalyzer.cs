using System.Collections.Immutable;
using DashFlow.Analyzers.Helpers;
using DashFlow.Analyzers.Topology;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Builder;

/// <summary>
/// The topology, routing and parallel-write rules for the fluent builder, when a graph is built in one method with
/// constant node names:
/// either one chain <c>new StateGraph&lt;T&gt;().AddNode(...)...Compile()</c>, or a local
/// <c>var g = new StateGraph&lt;T&gt;();</c> whose every use is a call chain on it in the same block, one of them
/// compiling it. Anything the analyzer cannot follow (a name that is not a constant, the builder passed elsewhere, a call
/// inside a branch or a loop) leaves the graph alone: it never guesses.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StateGraphBuilderAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.UnreachableNode,
        DiagnosticDescriptors.NoPathToEnd,
        DiagnosticDescriptors.UnknownNode,
        DiagnosticDescriptors.NoEntry,
        DiagnosticDescriptors.InvalidNodeName,
        DiagnosticDescriptors.EdgeIntoStartOrOutOfEnd,
        DiagnosticDescriptors.ParallelReplaceWrite,
        DiagnosticDescriptors.UnknownRouterTarget,
        DiagnosticDescriptors.UndeclaredRouterReturn,
    ];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation) is not { StateGraph: not null } symbols)
            {
                return;
            }

            // Builders are found per member body and judged when the body is done, so that a diagnostic anywhere in
            // the body (a chain's argument, a later statement) belongs to the body the IDE analyzes.
            start.RegisterOperationBlockStartAction(block =>
            {
                var creations = new List<IObjectCreationOperation>();
                block.RegisterOperationAction(
                    operation =>
                    {
                        if (operation.Operation is IObjectCreationOperation { Type: INamedTypeSymbol type } creation
                            && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, symbols.StateGraph))
                        {
                            lock (creations)
                            {
                                creations.Add(creation);
                            }
                        }
                    },
                    OperationKind.ObjectCreation);
                block.RegisterOperationBlockEndAction(end =>
                {
                    foreach (var creation in creations)
                    {
                        Analyze(end, creation, symbols);
                    }
                });
            });
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, IObjectCreationOperation creation, KnownSymbols symbols)
    {
        if (creation.Type is not INamedTypeSymbol { TypeArguments: [var state] })
        {
            return;
        }

        var calls = BuilderCalls.Find(creation, symbols.StateGraph!);
        if (calls is null)
        {
            return;
        }

        var name = OperationValues.ConstantString(creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "name")?.Value) ?? state.Name + "Graph";
        var graph = new TopologyGraph(name, creation.Syntax.GetLocation(), GraphDialect.Builder);
        var routerReturns = new List<(string Router, List<string> Declared, List<ReturnedTarget> Returned)>();
        var handlers = new List<(TopologyNode Node, IAnonymousFunctionOperation Lambda)>();
        foreach (var call in calls)
        {
            if (!Read(call, graph, symbols, routerReturns, handlers))
            {
                return;
            }
        }

        TopologyChecker.Check(graph, context.ReportDiagnostic, context.CancellationToken);
        foreach (var (router, declared, returned) in routerReturns)
        {
            foreach (var value in returned)
            {
                if (!declared.Contains(value.Value))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UndeclaredRouterReturn, value.Location,
                        $"Router '{router}' returns '{TopologyChecker.Display(value.Value)}', which is not among its declared targets " +
                        $"[{string.Join(", ", declared.Select(TopologyChecker.Display))}]; the run fails when it does. Add it to the targets, or return a declared target."));
                }
            }
        }

        CheckParallelWrites(context, graph, state, handlers);
    }

    /// <summary>
    /// DFLOW0107 on the builder: the writes are the Update initializers visible in the node lambdas. A node whose
    /// handler is not a lambda writes nothing the analyzer can see, which can hide a conflict but never invent one.
    /// </summary>
    private static void CheckParallelWrites(
        OperationBlockAnalysisContext context, TopologyGraph graph, ITypeSymbol state, List<(TopologyNode Node, IAnonymousFunctionOperation Lambda)> handlers)
    {
        // Whether a node is deferred decides what runs together; options the analyzer cannot read leave it open.
        if (!graph.DeferKnown || state is not INamedTypeSymbol namedState || namedState.GetTypeMembers("Update").FirstOrDefault() is not { } update)
        {
            return;
        }

        var writes = new List<(TopologyNode Node, Dictionary<string, Location> Fields)>();
        foreach (var (node, lambda) in handlers)
        {
            var fields = new Dictionary<string, Location>(StringComparer.Ordinal);
            OperationValues.CollectUpdateWrites(lambda.Body, update, fields);
            if (fields.Count > 0)
            {
                writes.Add((node, fields));
            }
        }

        // One writer conflicts only with itself, when Sends start it several times in one superstep.
        if (writes.Count == 0 || (writes.Count == 1 && !graph.Routes.Any(r => r.Kind == RouteKind.Sends)))
        {
            return;
        }

        var replaceFields = ReplaceFieldReader.Read(namedState, context.Compilation, context.CancellationToken);
        if (replaceFields.Count == 0)
        {
            return;
        }

        foreach (var (node, fields) in writes)
        {
            foreach (var field in fields)
            {
                if (replaceFields.ContainsKey(field.Key) && !node.ReplaceWrites.ContainsKey(field.Key))
                {
                    node.ReplaceWrites.Add(field.Key, field.Value);
                }
            }
        }

        ParallelWriteChecker.Check(graph, namedState.Name, replaceFields, context.ReportDiagnostic, context.CancellationToken);
    }

    /// <summary>Adds what one builder call declares; false when the call cannot be read, which leaves the whole graph alone.</summary>
    private static bool Read(
        IInvocationOperation call,
        TopologyGraph graph,
        KnownSymbols symbols,
        List<(string Router, List<string> Declared, List<ReturnedTarget> Returned)> routerReturns,
        List<(TopologyNode Node, IAnonymousFunctionOperation Lambda)> handlers)
    {
        IOperation? Argument(string parameter) => call.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value;

        NameRef? Name(string parameter) =>
            Argument(parameter) is { } value && OperationValues.ConstantString(value) is { } text ? new NameRef(text, value.Syntax.GetLocation()) : null;

        switch (call.TargetMethod.Name)
        {
            case "AddNode" or "AddNodeCore" or "AddSubgraph":
            {
                if (Name("name") is not { } node)
                {
                    return false;
                }

                var handler = call.TargetMethod.Parameters.Length > 1 ? call.TargetMethod.Parameters[1].Type : null;
                var topologyNode = new TopologyNode(node.Value, node.Location)
                {
                    // A general handler returns a NodeResult, which may hold a Command; so may AddNodeCore's.
                    MayCommand = call.TargetMethod.Name == "AddNodeCore"
                        || (handler is INamedTypeSymbol { TypeArguments: [_, var result] } && IsCommand(result, symbols))
                        || (handler is not null && SymbolEqualityComparer.Default.Equals(handler.OriginalDefinition, symbols.NodeHandler)),
                };
                graph.Nodes.Add(topologyNode);
                ReadOptions(Argument("options"), topologyNode, graph, symbols);
                if (OperationValues.Lambda(call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1)?.Value) is { } lambda)
                {
                    handlers.Add((topologyNode, lambda));
                }

                return true;
            }

            case "AddEdge" when Argument("from") is { } from && from.Type?.SpecialType == SpecialType.System_String:
            {
                if (Name("from") is not { } source || Name("to") is not { } target)
                {
                    return false;
                }

                graph.Edges.Add(new TopologyEdge(source, target));
                return true;
            }

            case "AddEdge":
            {
                if (Strings(Argument("from")) is not { } sources || Name("to") is not { } target)
                {
                    return false;
                }

                graph.Joins.Add(new TopologyJoin(sources, target));
                return true;
            }

            case "SetEntryPoint" or "SetFinishPoint":
            {
                if (Name("node") is not { } node)
                {
                    return false;
                }

                var implied = new NameRef(call.TargetMethod.Name == "SetEntryPoint" ? TopologyChecker.Start : TopologyChecker.End, node.Location, Written: false);
                graph.Edges.Add(call.TargetMethod.Name == "SetEntryPoint" ? new TopologyEdge(implied, node) : new TopologyEdge(node, implied));
                return true;
            }

            case "AddConditionalEdges" or "AddRouter":
            {
                var isCore = call.TargetMethod.Name == "AddRouter";
                if (Name("source") is not { } source)
                {
                    return false;
                }

                var routerName = OperationValues.ConstantString(Argument(isCore ? "routerName" : "name")) ?? source.Value + ".router";
                var targetsArgument = Argument("targets");
                List<NameRef>? targets = null;
                if (targetsArgument is not null && !IsNull(targetsArgument))
                {
                    // Targets the analyzer cannot read may be anything: treated as "any node", which hides no mistake it reports.
                    targets = Strings(targetsArgument);
                }

                var routerType = call.TargetMethod.Parameters.Length > 1 ? call.TargetMethod.Parameters[1].Type as INamedTypeSymbol : null;
                var kind = RouteKind.One;
                if (!isCore && routerType is { TypeArguments: [_, INamedTypeSymbol { TypeArguments: [var item] } sequence] }
                    && sequence.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
                {
                    kind = SymbolEqualityComparer.Default.Equals(item, symbols.Send) ? RouteKind.Sends : RouteKind.Many;
                }

                graph.Routes.Add(new TopologyRoute(source, routerName, targets, kind));
                if (!isCore && targets is not null && Argument("router") is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                {
                    var returned = new List<ReturnedTarget>();
                    OperationValues.CollectReturns(lambda.Body, target: null, symbols.Send, returned);
                    routerReturns.Add((routerName, [.. targets.Select(t => t.Value)], returned));
                }

                return true;
            }

            case "Compile" or "ToShape":
                return true;

            default:
                return false;
        }
    }

    /// <summary>Reads <c>new NodeOptions { Defer = ..., Destinations = [...] }</c>; other options hide the node's destinations.</summary>
    private static void ReadOptions(IOperation? options, TopologyNode node, TopologyGraph graph, KnownSymbols symbols)
    {
        if (options is null || IsNull(options))
        {
            return;
        }

        while (options is IConversionOperation conversion)
        {
            options = conversion.Operand;
        }

        if (options is not IObjectCreationOperation creation || !SymbolEqualityComparer.Default.Equals(creation.Type, symbols.NodeOptions))
        {
            graph.ReachabilityKnown = false;
            graph.DeferKnown = false;
            return;
        }

        foreach (var assignment in creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>() ?? [])
        {
            switch ((assignment.Target as IPropertyReferenceOperation)?.Property.Name)
            {
                case "Defer":
                    node.Defer = assignment.Value.ConstantValue is { HasValue: true, Value: true };
                    graph.DeferKnown &= assignment.Value.ConstantValue.HasValue;
                    break;
                case "Destinations" when !IsNull(assignment.Value):
                    if (Strings(assignment.Value) is { } destinations)
                    {
                        node.Destinations.AddRange(destinations);
                    }
                    else
                    {
                        graph.ReachabilityKnown = false;
                    }

                    break;
            }
        }
    }

    /// <summary>The constant strings of an array or collection expression; null when any element is not a constant.</summary>
    private static List<NameRef>? Strings(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        IEnumerable<IOperation>? elements = operation switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => null,
        };
        if (elements is null)
        {
            return null;
        }

        var result = new List<NameRef>();
        foreach (var element in elements)
        {
            if (OperationValues.ConstantString(element) is not { } value)
            {
                return null;
            }

            result.Add(new NameRef(value, element.Syntax.GetLocation()));
        }

        return result;
    }

    private static bool IsNull(IOperation operation) => operation.ConstantValue is { HasValue: true, Value: null };

    private static bool IsCommand(ITypeSymbol type, KnownSymbols symbols) =>
        symbols.Command is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, symbols.Command);
}
