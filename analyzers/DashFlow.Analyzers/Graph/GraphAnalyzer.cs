using System.Collections.Concurrent;
using System.Collections.Immutable;
using DashFlow.Analyzers.Helpers;
using DashFlow.Analyzers.Topology;
using DashFlow.Generators.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Graph;

/// <summary>
/// Reports the mistakes of <c>[Graph&lt;TState&gt;]</c> classes: the ones the graph generator's parser lists (node and
/// router signatures, routes to methods that are not routers), the topology rules, the routing rules and the
/// parallel-write rule. Works per graph class: a symbol-start action collects what node and router bodies return and
/// write, and the symbol-end action judges the class, so an edit elsewhere never re-runs it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GraphAnalyzer : DiagnosticAnalyzer
{
    private const string Start = TopologyChecker.Start;
    private const string End = TopologyChecker.End;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.GraphNotGeneratable,
        DiagnosticDescriptors.StateNotGraphState,
        DiagnosticDescriptors.UnreachableNode,
        DiagnosticDescriptors.NoPathToEnd,
        DiagnosticDescriptors.UnknownNode,
        DiagnosticDescriptors.NoEntry,
        DiagnosticDescriptors.InvalidNodeName,
        DiagnosticDescriptors.EdgeIntoStartOrOutOfEnd,
        DiagnosticDescriptors.ParallelReplaceWrite,
        DiagnosticDescriptors.UnknownRouterTarget,
        DiagnosticDescriptors.UndeclaredRouterReturn,
        DiagnosticDescriptors.UnattachedRouter,
        DiagnosticDescriptors.RouteToNonRouter,
        DiagnosticDescriptors.UnsupportedRouterSignature,
        DiagnosticDescriptors.UnsupportedNodeSignature,
        DiagnosticDescriptors.NodeAndRouter,
        DiagnosticDescriptors.AttributeOnNonNode,
        DiagnosticDescriptors.NodeNamedEnd,
    ];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation) is not { GraphAttribute: not null } symbols)
            {
                return;
            }

            start.RegisterSymbolStartAction(symbolStart => OnTypeStart(symbolStart, symbols), SymbolKind.NamedType);
        });
    }

    private static void OnTypeStart(SymbolStartAnalysisContext context, KnownSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var graphAttribute = type.GetAttributes().FirstOrDefault(a => KnownSymbols.Is(a, symbols.GraphAttribute));
        if (graphAttribute is null)
        {
            return;
        }

        var bodies = new BodyFacts(type, graphAttribute, symbols);
        context.RegisterOperationBlockAction(bodies.Collect);
        context.RegisterSymbolEndAction(end => Analyze(end, type, graphAttribute, bodies));
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type, AttributeData graphAttribute, BodyFacts bodies)
    {
        var cancellationToken = context.CancellationToken;
        var model = GraphGenerator.Parse(type, graphAttribute, cancellationToken);
        var classLocation = type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
        var members = Members.Read(type);

        ReportTypeProblems(context, graphAttribute, model, classLocation, members);

        // ---- the topology, from the attributes, with the place every name is written ----
        var nodeNames = new HashSet<string>(model.Nodes.Select(n => n.Name), StringComparer.Ordinal);
        var methodToNode = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in model.Nodes)
        {
            if (!methodToNode.ContainsKey(node.MethodName))
            {
                methodToNode.Add(node.MethodName, node.Name);
            }
        }

        string Resolve(string name) =>
            name is Start or End || nodeNames.Contains(name) ? name : methodToNode.TryGetValue(name, out var node) ? node : name;

        var graph = new TopologyGraph(type.Name, classLocation, GraphDialect.Attributes);
        graph.Aliases.UnionWith(methodToNode.Keys);
        var count = Math.Min(model.Nodes.Count, members.Nodes.Count);
        for (var i = 0; i < count; i++)
        {
            var node = model.Nodes[i];
            var method = members.Nodes[i];
            var location = LocationOf(method);
            graph.Nodes.Add(new TopologyNode(node.Name, location)
            {
                MayCommand = node.Signature is null || node.Signature.Return == NodeReturnKind.Command,
                Defer = node.Options.Defer,
            });
            var topologyNode = graph.Nodes[graph.Nodes.Count - 1];
            if (FindDashFlow(method, "NodeAttribute") is { } nodeAttribute
                && AttributeArguments.NamedStrings(nodeAttribute, "Destinations", location, cancellationToken) is { } destinations)
            {
                topologyNode.Destinations.AddRange(destinations.Select(d => new NameRef(Resolve(d.Value), d.Location)));
            }
        }

        var routers = new Dictionary<string, (RouterModel Model, IMethodSymbol Method, List<NameRef>? Targets)>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(model.Routers.Count, members.Routers.Count); i++)
        {
            var router = model.Routers[i];
            var method = members.Routers[i];
            var attribute = FindDashFlow(method, "RouterAttribute");
            var targets = attribute is null ? null : AttributeArguments.NamedStrings(attribute, "Targets", LocationOf(method), cancellationToken);
            if (!routers.ContainsKey(router.Name))
            {
                routers.Add(router.Name, (router, method, targets is { Count: > 0 } ? [.. targets.Select(t => new NameRef(Resolve(t.Value), t.Location))] : null));
            }
        }

        var attached = new HashSet<string>(StringComparer.Ordinal);
        void AddRoute(NameRef from, string routerName)
        {
            var router = routers[routerName];
            attached.Add(routerName);
            var kind = router.Model.Return switch
            {
                RouterReturnKind.Targets or RouterReturnKind.Names => RouteKind.Many,
                RouterReturnKind.Sends => RouteKind.Sends,
                _ => RouteKind.One,
            };
            graph.Routes.Add(new TopologyRoute(from, routerName, router.Targets, kind));
        }

        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                continue;
            }

            var location = LocationOf(method);
            var nodeIndex = IndexOf(members.Nodes, method);
            if (nodeIndex >= 0 && nodeIndex < count)
            {
                var self = new NameRef(graph.Nodes[nodeIndex].Name, location, Written: false);
                foreach (var attribute in method.GetAttributes())
                {
                    switch (DashFlowName(attribute))
                    {
                        case "EdgeAttribute":
                            var to = AttributeArguments.ConstructorString(attribute, 0, location, cancellationToken);
                            var from = AttributeArguments.NamedString(attribute, "From", location, cancellationToken);
                            if (to is not null || from is not null)
                            {
                                graph.Edges.Add(new TopologyEdge(
                                    from is { } f ? new NameRef(Resolve(f.Value), f.Location) : self,
                                    to is { } t ? new NameRef(Resolve(t.Value), t.Location) : self));
                            }

                            break;
                        case "JoinAttribute":
                            var sources = AttributeArguments.ParamsStrings(attribute, location, cancellationToken);
                            graph.Joins.Add(new TopologyJoin([.. sources.Select(s => new NameRef(Resolve(s.Value), s.Location))], self));
                            break;
                        case "RouteAttribute":
                            var routerName = AttributeArguments.ConstructorString(attribute, 0, location, cancellationToken);
                            if (routerName is { } name && routers.ContainsKey(name.Value))
                            {
                                AddRoute(self, name.Value);
                            }
                            else
                            {
                                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RouteToNonRouter,
                                    routerName?.Location ?? AttributeArguments.LocationOf(attribute, location, cancellationToken),
                                    routerName is { } named
                                        ? $"Node '{self.Value}' routes through '{named.Value}', which is not a [Router] method of '{type.Name}'; name a router method with nameof."
                                        : $"Node '{self.Value}' has a [Route] that names no router method of '{type.Name}'; name a router method with nameof."));
                            }

                            break;
                    }
                }
            }
            else if (IndexOf(members.Routers, method) >= 0
                     && FindDashFlow(method, "RouterAttribute") is { } routerAttribute
                     && AttributeArguments.NamedString(routerAttribute, "From", location, cancellationToken) is { } routerFrom
                     && routers.ContainsKey(method.Name))
            {
                AddRoute(new NameRef(Resolve(routerFrom.Value), routerFrom.Location), method.Name);
            }
        }

        TopologyChecker.Check(graph, context.ReportDiagnostic, cancellationToken);

        // ---- routing: routers nobody runs, and constant returns that were not declared ----
        foreach (var router in routers.Values)
        {
            if (!attached.Contains(router.Model.Name))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnattachedRouter, LocationOf(router.Method),
                    $"Router '{router.Model.Name}' of graph '{type.Name}' is attached to no node, so it never runs. " +
                    $"Add [Route(nameof({router.Model.Name}))] to the node it should follow, or set From on its [Router] attribute."));
            }

            if (router.Model.DeclaredTargets is not { } declared || !bodies.Returns.TryGetValue(router.Method, out var returned))
            {
                continue;
            }

            var declaredNames = new HashSet<string>(declared, StringComparer.Ordinal);
            foreach (var value in returned)
            {
                var name = value.IsTargetMember
                    ? value.Value == "End" ? End : model.Nodes.FirstOrDefault(n => n.HasMember && n.MethodName == value.Value)?.Name
                    : value.Value;
                if (name is not null && !declaredNames.Contains(name))
                {
                    var written = value.IsTargetMember ? "Target." + value.Value : $"'{TopologyChecker.Display(name)}'";
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UndeclaredRouterReturn, value.Location,
                        $"Router '{router.Model.Name}' returns {written}, which is not among its declared targets " +
                        $"[{string.Join(", ", declared.Select(TopologyChecker.Display))}]; the run fails when it does. Add it to Targets, or return a declared target."));
                }
            }
        }

        // ---- parallel writes of Replace fields ----
        if (graphAttribute.AttributeClass is { TypeArguments: [INamedTypeSymbol state] } && !bodies.Writes.IsEmpty)
        {
            var fields = ReplaceFieldReader.Read(state, context.Compilation, cancellationToken);
            if (fields.Count > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    if (bodies.Writes.TryGetValue(members.Nodes[i], out var writes))
                    {
                        foreach (var write in writes)
                        {
                            if (fields.ContainsKey(write.Key))
                            {
                                graph.Nodes[i].ReplaceWrites[write.Key] = write.Value;
                            }
                        }
                    }
                }

                ParallelWriteChecker.Check(graph, state.Name, fields, context.ReportDiagnostic, cancellationToken);
            }
        }
    }

    /// <summary>The problems the parser lists about the class and its methods, mapped to their diagnostics.</summary>
    private static void ReportTypeProblems(
        SymbolAnalysisContext context, AttributeData graphAttribute, GraphModel model, Location classLocation, Members members)
    {
        var cancellationToken = context.CancellationToken;

        // The n-th problem about a method name goes to the n-th method of that name the parser saw.
        var occurrences = new Dictionary<(GraphProblemKind, string), int>();
        Location MethodLocation(GraphProblem problem, IReadOnlyList<IMethodSymbol> candidates)
        {
            var key = (problem.Kind, problem.Member);
            occurrences.TryGetValue(key, out var seen);
            occurrences[key] = seen + 1;
            var matching = candidates.Where(m => m.Name == problem.Member).ToList();
            return matching.Count > 0 ? LocationOf(matching[Math.Min(seen, matching.Count - 1)]) : classLocation;
        }

        foreach (var problem in model.Problems)
        {
            switch (problem.Kind)
            {
                case GraphProblemKind.GraphFileLocal or GraphProblemKind.GraphGeneric or GraphProblemKind.GraphStatic:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GraphNotGeneratable, classLocation, problem.Message));
                    break;
                case GraphProblemKind.StateNotGraphState:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StateNotGraphState, StateArgumentLocation(graphAttribute, classLocation, cancellationToken), problem.Message));
                    break;
                case GraphProblemKind.UnsupportedNodeSignature:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedNodeSignature, MethodLocation(problem, members.Nodes), problem.Message));
                    break;
                case GraphProblemKind.UnsupportedRouterSignature:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedRouterSignature, MethodLocation(problem, members.Routers), problem.Message));
                    break;
                case GraphProblemKind.NodeNamedEnd:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NodeNamedEnd, MethodLocation(problem, members.Nodes), problem.Message));
                    break;
                case GraphProblemKind.NodeAndRouter:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NodeAndRouter, MethodLocation(problem, members.Nodes), problem.Message));
                    break;
                case GraphProblemKind.AttributeOnNonNode:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttributeOnNonNode, MethodLocation(problem, members.Others), problem.Message));
                    break;
                case GraphProblemKind.DuplicateNodeMethod:
                    // Listed for the second and later methods of one name. When their node names are the same too, the
                    // topology rules report the duplicate node name; otherwise the later method only loses its NodeIds
                    // constant and Target member.
                    occurrences.TryGetValue((problem.Kind, problem.Member), out var earlier);
                    occurrences[(problem.Kind, problem.Member)] = earlier + 1;
                    var nodeIndex = members.Nodes.Select((m, i) => (m, i)).Where(p => p.m.Name == problem.Member).Skip(earlier + 1).Select(p => p.i).DefaultIfEmpty(-1).First();
                    var sameName = nodeIndex > 0 && nodeIndex < model.Nodes.Count
                        && model.Nodes.Take(nodeIndex).Any(n => n.Name == model.Nodes[nodeIndex].Name);
                    if (!sameName)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidNodeName,
                            nodeIndex >= 0 ? LocationOf(members.Nodes[nodeIndex]) : classLocation, problem.Message));
                    }

                    break;

                // Not partial: reported by PartialTypeAnalyzer, at the declaration that lacks the modifier. Unknown
                // routers: reported while reading routes, at the [Route] argument.
                default:
                    break;
            }
        }
    }

    private static Location StateArgumentLocation(AttributeData attribute, Location fallback, CancellationToken cancellationToken)
    {
        var syntax = AttributeArguments.Syntax(attribute, cancellationToken);
        var name = syntax?.Name is QualifiedNameSyntax qualified ? qualified.Right : syntax?.Name;
        return name is GenericNameSyntax { TypeArgumentList.Arguments: [var argument, ..] } ? argument.GetLocation() : syntax?.GetLocation() ?? fallback;
    }

    private static Location LocationOf(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;

    private static int IndexOf(IReadOnlyList<IMethodSymbol> methods, IMethodSymbol method)
    {
        for (var i = 0; i < methods.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(methods[i], method))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The name of a DashFlow attribute class, the way the generator's parser recognizes them; null for others.</summary>
    internal static string? DashFlowName(AttributeData attribute) =>
        attribute.AttributeClass is { ContainingNamespace: { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true } } c ? c.Name : null;

    internal static AttributeData? FindDashFlow(ISymbol symbol, string name) =>
        symbol.GetAttributes().FirstOrDefault(a => DashFlowName(a) == name);

    /// <summary>The graph class's node, router and other methods, in the order the generator's parser reads them.</summary>
    private sealed class Members
    {
        public List<IMethodSymbol> Nodes { get; } = [];

        public List<IMethodSymbol> Routers { get; } = [];

        public List<IMethodSymbol> Others { get; } = [];

        public static Members Read(INamedTypeSymbol type)
        {
            var members = new Members();
            foreach (var member in type.GetMembers())
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                {
                    continue;
                }

                if (FindDashFlow(method, "NodeAttribute") is not null)
                {
                    members.Nodes.Add(method);
                }
                else if (FindDashFlow(method, "RouterAttribute") is not null)
                {
                    members.Routers.Add(method);
                }
                else
                {
                    members.Others.Add(method);
                }
            }

            return members;
        }
    }

    /// <summary>What node bodies write and router bodies return, collected while the class's methods are analyzed.</summary>
    private sealed class BodyFacts
    {
        private readonly INamedTypeSymbol? _update;
        private readonly INamedTypeSymbol? _target;
        private readonly INamedTypeSymbol? _send;

        public BodyFacts(INamedTypeSymbol graph, AttributeData graphAttribute, KnownSymbols symbols)
        {
            if (graphAttribute.AttributeClass is { TypeArguments: [INamedTypeSymbol state] })
            {
                _update = state.GetTypeMembers("Update").FirstOrDefault();
            }

            _target = graph.GetTypeMembers("Target").FirstOrDefault(t => t.TypeKind == TypeKind.Enum);
            _send = symbols.Send;
        }

        /// <summary>For each node method: the Update properties it sets in object initializers, with the first place.</summary>
        public ConcurrentDictionary<IMethodSymbol, Dictionary<string, Location>> Writes { get; } = new(SymbolEqualityComparer.Default);

        /// <summary>For each router method: the targets it returns where they are visible.</summary>
        public ConcurrentDictionary<IMethodSymbol, List<ReturnedTarget>> Returns { get; } = new(SymbolEqualityComparer.Default);

        public void Collect(OperationBlockAnalysisContext context)
        {
            if (context.OwningSymbol is not IMethodSymbol method)
            {
                return;
            }

            var isNode = FindDashFlow(method, "NodeAttribute") is not null;
            var isRouter = !isNode && FindDashFlow(method, "RouterAttribute") is not null;
            if (isNode && _update is not null)
            {
                var writes = new Dictionary<string, Location>(StringComparer.Ordinal);
                foreach (var block in context.OperationBlocks)
                {
                    OperationValues.CollectUpdateWrites(block, _update, writes);
                }

                if (writes.Count > 0)
                {
                    Writes[method] = writes;
                }
            }
            else if (isRouter)
            {
                var returns = new List<ReturnedTarget>();
                foreach (var block in context.OperationBlocks)
                {
                    OperationValues.CollectReturns(block, _target, _send, returns);
                }

                Returns[method] = returns;
            }
        }
    }
}
