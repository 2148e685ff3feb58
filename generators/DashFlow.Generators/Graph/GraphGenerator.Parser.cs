using System.Collections.Immutable;
using System.Text;
using DashFlow.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Generators.Graph;

public sealed partial class GraphGenerator
{
    private const string StartName = "__start__";
    private const string EndName = "__end__";

    private static readonly SymbolDisplayFormat s_declaredType =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat s_plainType = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>
    /// Reads a <c>[Graph&lt;TState&gt;]</c> class into plain data: its nodes and their signatures, edges, joins, routers and
    /// routes, and the problems found. Never throws on invalid code; what cannot be used is left out and listed in
    /// <see cref="GraphModel.Problems"/>. Analyzers call this too.
    /// </summary>
    /// <param name="type">The graph class.</param>
    /// <param name="graphAttribute">Its <c>[Graph&lt;TState&gt;]</c> attribute.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The model.</returns>
    internal static GraphModel Parse(INamedTypeSymbol type, AttributeData graphAttribute, CancellationToken cancellationToken)
    {
        var problems = new List<GraphProblem>();
        var emitKind = GraphEmitKind.Full;

        // ---- the class and where it lives ----
        if (!IsPartial(type, cancellationToken))
        {
            problems.Add(new(GraphProblemKind.GraphNotPartial, "", $"Graph class '{type.Name}' must be partial so that the generator can add its members; add the 'partial' modifier."));
            emitKind = GraphEmitKind.Nothing;
        }

        var containing = new List<ContainingTypeModel>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer, cancellationToken))
            {
                problems.Add(new(GraphProblemKind.ContainingTypeNotPartial, "", $"Type '{outer.Name}', which contains graph class '{type.Name}', must be partial; add the 'partial' modifier."));
                emitKind = GraphEmitKind.Nothing;
            }

            if (outer.TypeParameters.Length > 0)
            {
                problems.Add(new(GraphProblemKind.GraphGeneric, "", $"Graph class '{type.Name}' is inside generic type '{outer.Name}'; declare the graph in a non-generic type."));
                emitKind = Min(emitKind, GraphEmitKind.Declarations);
            }

            containing.Insert(0, new ContainingTypeModel(Keyword(outer), DeclaredName(outer)));
        }

        if (type.IsFileLocal)
        {
            problems.Add(new(GraphProblemKind.GraphFileLocal, "", $"Graph class '{type.Name}' is file-local; the generator cannot add members to it. Remove the 'file' modifier."));
            emitKind = GraphEmitKind.Nothing;
        }

        if (type.TypeParameters.Length > 0)
        {
            problems.Add(new(GraphProblemKind.GraphGeneric, "", $"Graph class '{type.Name}' is generic; a graph class cannot have type parameters."));
            emitKind = Min(emitKind, GraphEmitKind.Declarations);
        }

        if (type.IsStatic)
        {
            problems.Add(new(GraphProblemKind.GraphStatic, "", $"Graph class '{type.Name}' is static; nodes may be instance methods, so remove the 'static' modifier."));
            emitKind = Min(emitKind, GraphEmitKind.Declarations);
        }

        // ---- the state ----
        var state = graphAttribute.AttributeClass is { TypeArguments.Length: 1 } attributeClass ? attributeClass.TypeArguments[0] : null;
        var stateType = state is null or IErrorTypeSymbol ? "object" : state.ToDisplayString(s_plainType);
        if (state is null || !IsGraphState(state))
        {
            problems.Add(new(GraphProblemKind.StateNotGraphState, "",
                $"The state of graph '{type.Name}' ('{state?.Name ?? "?"}') is not a [GraphState] type; mark it [GraphState] and make it a partial record or class."));
            emitKind = Min(emitKind, GraphEmitKind.Declarations);
        }

        // ---- first pass: which methods are nodes and routers ----
        var nodeMethods = new List<(IMethodSymbol Method, AttributeData Node)>();
        var routerMethods = new List<(IMethodSymbol Method, AttributeData Router)>();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                continue;
            }

            var node = FindAttribute(method, "NodeAttribute");
            var router = FindAttribute(method, "RouterAttribute");
            if (node is not null)
            {
                nodeMethods.Add((method, node));
                if (router is not null)
                {
                    problems.Add(new(GraphProblemKind.NodeAndRouter, method.Name, $"Method '{method.Name}' is marked both [Node] and [Router]; it is used as a node. Split it into a node and a router."));
                }
            }
            else
            {
                if (router is not null)
                {
                    routerMethods.Add((method, router));
                }

                if ((FindAttribute(method, "EdgeAttribute") ?? FindAttribute(method, "JoinAttribute") ?? FindAttribute(method, "RouteAttribute") ?? FindAttribute(method, "RetryAttribute")) is { } stray)
                {
                    problems.Add(new(GraphProblemKind.AttributeOnNonNode, method.Name,
                        $"Method '{method.Name}' has [{stray.AttributeClass?.Name.Replace("Attribute", "")}] but no [Node]; the attribute is ignored. Add [Node] or remove the attribute."));
                }
            }
        }

        // Names in attributes are usually written with nameof(Method): map a method name to its node's name.
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        var methodToNode = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (method, node) in nodeMethods)
        {
            var name = NamedString(node, "Name") ?? method.Name;
            nodeNames.Add(name);
            if (!methodToNode.ContainsKey(method.Name))
            {
                methodToNode.Add(method.Name, name);
            }
        }

        string Resolve(string name) =>
            name is StartName or EndName || nodeNames.Contains(name) ? name : methodToNode.TryGetValue(name, out var node) ? node : name;

        // ---- nodes ----
        var nodes = new List<NodeModel>();
        var memberNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (method, node) in nodeMethods)
        {
            var name = NamedString(node, "Name") ?? method.Name;
            var hasMember = true;
            if (method.Name == "End")
            {
                problems.Add(new(GraphProblemKind.NodeNamedEnd, method.Name, "Node method 'End' clashes with Target.End, the end of the graph; rename the method (the node's name may stay 'End' through [Node(Name = \"End\")])."));
                hasMember = false;
            }
            else if (!memberNames.Add(method.Name))
            {
                problems.Add(new(GraphProblemKind.DuplicateNodeMethod, method.Name, $"Two node methods are named '{method.Name}'; only the first gets a NodeIds constant and a Target member. Rename one."));
                hasMember = false;
            }

            var signature = state is null ? null : ParseNodeSignature(method, state);
            if (signature is null)
            {
                problems.Add(new(GraphProblemKind.UnsupportedNodeSignature, method.Name,
                    $"Node method '{method.Name}' has an unsupported signature, so it is left out of the graph. A node takes the state (or, for a node reached " +
                    "through Send, the Send argument), then optionally a CancellationToken and a NodeContext, and returns the state's Update, a Command, " +
                    "or nothing, optionally as a Task or ValueTask."));
            }

            var timeout = NamedInt(node, "TimeoutMilliseconds") ?? 0;
            var destinations = NamedStrings(node, "Destinations").Select(Resolve).ToEquatableArray();
            var retry = FindAttribute(method, "RetryAttribute") is { } retryAttribute ? ParseRetry(retryAttribute) : null;
            var options = new NodeOptionsModel(NamedBool(node, "Defer") ?? false, timeout, destinations, retry);
            nodes.Add(new NodeModel(name, method.Name, Identifier(method.Name), method.IsStatic, hasMember, signature, options));
        }

        // ---- routers ----
        var routers = new List<RouterModel>();
        foreach (var (method, router) in routerMethods)
        {
            var (returnKind, takesToken, nullable) = state is null ? default : ParseRouterSignature(method, state, type);
            if (returnKind is null)
            {
                problems.Add(new(GraphProblemKind.UnsupportedRouterSignature, method.Name,
                    $"Router method '{method.Name}' has an unsupported signature, so its routes are left out of the graph. A router takes the state, " +
                    "optionally followed by a CancellationToken, and returns Target, IEnumerable<Target>, Send, IEnumerable<Send>, string or IEnumerable<string>."));
            }

            var targets = NamedStrings(router, "Targets");
            var declared = targets.Count == 0 ? (EquatableArray<string>?)null : targets.Select(Resolve).ToEquatableArray();
            routers.Add(new RouterModel(method.Name, Identifier(method.Name), method.IsStatic, returnKind, takesToken, declared, nullable));
        }

        // ---- edges, joins and routes, in declaration order ----
        var edges = new List<EdgeModel>();
        var joins = new List<JoinModel>();
        var routes = new List<RouteModel>();
        var routerNames = new HashSet<string>(routerMethods.Select(r => r.Method.Name), StringComparer.Ordinal);
        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                continue;
            }

            var nodeIndex = nodeMethods.FindIndex(n => SymbolEqualityComparer.Default.Equals(n.Method, method));
            if (nodeIndex >= 0)
            {
                var self = nodes[nodeIndex].Name;
                foreach (var attribute in method.GetAttributes())
                {
                    switch (AttributeName(attribute))
                    {
                        case "EdgeAttribute":
                            var to = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                            var from = NamedString(attribute, "From");
                            if (to is not null || from is not null)
                            {
                                edges.Add(new EdgeModel(Resolve(from ?? self), Resolve(to ?? self)));
                            }

                            break;
                        case "JoinAttribute":
                            var sources = attribute.ConstructorArguments.Length == 1 ? Strings(attribute.ConstructorArguments[0]) : [];
                            joins.Add(new JoinModel(sources.Select(Resolve).ToEquatableArray(), self));
                            break;
                        case "RouteAttribute":
                            var routerName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                            if (routerName is not null && routerNames.Contains(routerName))
                            {
                                routes.Add(new RouteModel(self, routerName));
                            }
                            else
                            {
                                problems.Add(new(GraphProblemKind.UnknownRouter, method.Name,
                                    $"Node '{self}' routes through '{routerName}', which is not a [Router] method of '{type.Name}'; name a router method with nameof."));
                            }

                            break;
                    }
                }
            }
            else if (routerMethods.FindIndex(r => SymbolEqualityComparer.Default.Equals(r.Method, method)) >= 0
                     && FindAttribute(method, "RouterAttribute") is { } router
                     && NamedString(router, "From") is { } routerFrom)
            {
                routes.Add(new RouteModel(Resolve(routerFrom), method.Name));
            }
        }

        return new GraphModel(
            HintName(type),
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            containing.ToEquatableArray(),
            Keyword(type),
            DeclaredName(type),
            type.Name,
            type.ToDisplayString(s_plainType),
            stateType,
            state is null ? "public" : AccessibilityKeyword(EffectiveAccessibility(state)),
            emitKind,
            nodes.ToEquatableArray(),
            routers.ToEquatableArray(),
            edges.ToEquatableArray(),
            joins.ToEquatableArray(),
            routes.ToEquatableArray(),
            problems.ToEquatableArray());
    }

    private static NodeSignature? ParseNodeSignature(IMethodSymbol method, ITypeSymbol state)
    {
        if (method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly || method.Parameters.Length is 0 or > 3
            || method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            return null;
        }

        // The first parameter: the state, or any other type for a node reached through Send.
        var first = method.Parameters[0].Type;
        var input = NodeInputKind.State;
        string? argType = null;
        string? argTypeOf = null;
        if (!SymbolEqualityComparer.Default.Equals(first, state))
        {
            if (IsCancellationToken(first) || IsDashFlowType(first, "NodeContext", 0) || !IsNameableType(first))
            {
                return null;
            }

            input = NodeInputKind.Arg;
            argType = first.ToDisplayString(s_declaredType);
            argTypeOf = first.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_plainType);
        }

        var tokenIndex = -1;
        var contextIndex = -1;
        for (var i = 1; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i].Type;
            if (IsCancellationToken(parameter) && tokenIndex < 0)
            {
                tokenIndex = i;
            }
            else if (IsDashFlowType(parameter, "NodeContext", 0) && contextIndex < 0)
            {
                contextIndex = i;
            }
            else
            {
                return null;
            }
        }

        // The result, unwrapped from Task/ValueTask.
        var returnType = method.ReturnType;
        var async = AsyncKind.None;
        ITypeSymbol? result = returnType;
        if (method.ReturnsVoid)
        {
            result = null;
        }
        else if (returnType is INamedTypeSymbol { Name: "Task" or "ValueTask", Arity: 0 or 1, ContainingNamespace: { } taskNamespace } task
                 && taskNamespace.ToDisplayString() == "System.Threading.Tasks")
        {
            async = task.Name == "Task" ? AsyncKind.Task : AsyncKind.ValueTask;
            result = task.Arity == 0 ? null : task.TypeArguments[0];
        }

        if (result is null)
        {
            return new NodeSignature(input, tokenIndex, contextIndex, argType, argTypeOf, NodeReturnKind.Void, async, null, false);
        }

        // The state's Update comes from the state generator, which runs beside this one, so it is usually not bound yet:
        // an unbound 'TState.Update' (or 'TState.Update?', which then reads as a nullable value type) is the update.
        if (result is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments: [var inner] } && IsUnboundUpdate(inner, state))
        {
            return new NodeSignature(input, tokenIndex, contextIndex, argType, argTypeOf, NodeReturnKind.Update, async, state.ToDisplayString(s_plainType) + ".Update?", true);
        }

        var nullable = result.NullableAnnotation == NullableAnnotation.Annotated;
        if (IsUnboundUpdate(result, state))
        {
            return new NodeSignature(input, tokenIndex, contextIndex, argType, argTypeOf, NodeReturnKind.Update, async,
                state.ToDisplayString(s_plainType) + ".Update" + (nullable ? "?" : ""), nullable);
        }

        for (var baseType = result as INamedTypeSymbol; baseType is not null; baseType = baseType.BaseType)
        {
            if (IsDashFlowType(baseType, "StateUpdate", 1) && SymbolEqualityComparer.Default.Equals(baseType.TypeArguments[0], state))
            {
                return new NodeSignature(input, tokenIndex, contextIndex, argType, argTypeOf, NodeReturnKind.Update, async, result.ToDisplayString(s_declaredType), nullable);
            }
        }

        if (IsDashFlowType(result, "Command", 1) && SymbolEqualityComparer.Default.Equals(((INamedTypeSymbol)result).TypeArguments[0], state))
        {
            return new NodeSignature(input, tokenIndex, contextIndex, argType, argTypeOf, NodeReturnKind.Command, async, null, nullable);
        }

        return null;
    }

    private static (RouterReturnKind? Kind, bool TakesToken, bool Nullable) ParseRouterSignature(IMethodSymbol method, ITypeSymbol state, INamedTypeSymbol graph)
    {
        if (method.IsGenericMethod || method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly
            || method.Parameters.Length is 0 or > 2
            || method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams)
            || !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, state)
            || (method.Parameters.Length == 2 && !IsCancellationToken(method.Parameters[1].Type)))
        {
            return default;
        }

        var takesToken = method.Parameters.Length == 2;
        var result = method.ReturnType;
        if (IsTarget(result, graph))
        {
            return (RouterReturnKind.Target, takesToken, false);
        }

        if (result.SpecialType == SpecialType.System_String)
        {
            return (RouterReturnKind.Name, takesToken, false);
        }

        if (IsDashFlowType(result, "Send", 0))
        {
            return result.NullableAnnotation == NullableAnnotation.Annotated ? default : (RouterReturnKind.Send, takesToken, false);
        }

        // A sequence: IEnumerable<T> itself or any type implementing it.
        var sequences = result is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } enumerable
            ? [enumerable]
            : result.AllInterfaces.Where(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T).ToImmutableArray();
        foreach (var sequence in sequences)
        {
            var item = sequence.TypeArguments[0];
            var nullableItem = item.NullableAnnotation == NullableAnnotation.Annotated;
            if (IsTarget(item, graph))
            {
                return (RouterReturnKind.Targets, takesToken, false);
            }

            if (IsDashFlowType(item, "Send", 0))
            {
                return (RouterReturnKind.Sends, takesToken, nullableItem);
            }

            if (item.SpecialType == SpecialType.System_String)
            {
                return (RouterReturnKind.Names, takesToken, nullableItem);
            }
        }

        return default;
    }

    private static RetryModel ParseRetry(AttributeData retry)
    {
        var retryOn = new List<string>();
        foreach (var type in NamedArray(retry, "RetryOn"))
        {
            if (type.Value is ITypeSymbol exception and not IErrorTypeSymbol)
            {
                retryOn.Add(exception.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_plainType));
            }
        }

        return new RetryModel(
            NamedInt(retry, "MaxAttempts"),
            NamedInt(retry, "InitialIntervalMilliseconds"),
            Named(retry, "BackoffFactor") is { Value: double factor } ? factor : null,
            NamedInt(retry, "MaxIntervalMilliseconds"),
            NamedBool(retry, "Jitter"),
            retryOn.ToEquatableArray());
    }

    // ---- symbols ----

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.DeclaringSyntaxReferences.Length == 0)
        {
            return false;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsGraphState(ITypeSymbol state)
    {
        if (state is not INamedTypeSymbol { TypeKind: TypeKind.Class } named || state is IErrorTypeSymbol)
        {
            return false;
        }

        if (named.GetAttributes().Any(a => a.AttributeClass is { } c && c.Name == "GraphStateAttribute" && IsInDashFlow(c)))
        {
            return true;
        }

        return named.AllInterfaces.Any(i => IsDashFlowType(i, "IGraphState", 1) && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], state));
    }

    /// <summary>An unbound <c>TState.Update</c>: the type the state generator is about to emit.</summary>
    private static bool IsUnboundUpdate(ITypeSymbol type, ITypeSymbol state) =>
        type is IErrorTypeSymbol { Name: "Update" } && SymbolEqualityComparer.Default.Equals(type.ContainingSymbol, state);

    /// <summary>
    /// The generated <c>Target</c>: unbound while this generator runs (<c>Target</c> or <c>Graph.Target</c>), or bound to
    /// the generated enum when an analyzer parses a compilation that already holds this generator's output.
    /// </summary>
    private static bool IsTarget(ITypeSymbol type, INamedTypeSymbol graph) =>
        type is IErrorTypeSymbol { Name: "Target" } error
            ? error.ContainingSymbol is null or INamespaceSymbol { IsGlobalNamespace: true } || SymbolEqualityComparer.Default.Equals(error.ContainingSymbol, graph)
            : type is INamedTypeSymbol { Name: "Target", TypeKind: TypeKind.Enum } bound
              && SymbolEqualityComparer.Default.Equals(bound.ContainingType, graph)
              && bound.GetAttributes().Any(a => a.AttributeClass is { Name: "GeneratedCodeAttribute" }
                  && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[0].Value as string == "DashFlow.Generators");

    private static bool IsCancellationToken(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "CancellationToken", Arity: 0, ContainingNamespace: { } ns } && ns.ToDisplayString() == "System.Threading";

    private static bool IsDashFlowType(ITypeSymbol type, string name, int arity) =>
        type is INamedTypeSymbol named && named.Name == name && named.Arity == arity && IsInDashFlow(named);

    private static bool IsInDashFlow(ISymbol symbol) =>
        symbol.ContainingNamespace is { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>Whether generated code can name the type in a type argument and in <c>typeof</c>.</summary>
    private static bool IsNameableType(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol or IPointerTypeSymbol or IFunctionPointerTypeSymbol or IDynamicTypeSymbol or ITypeParameterSymbol => false,
        { IsRefLikeType: true } or { SpecialType: SpecialType.System_Void } => false,
        IArrayTypeSymbol array => IsNameableType(array.ElementType),
        INamedTypeSymbol { IsAnonymousType: true } => false,
        INamedTypeSymbol named => named.TypeArguments.All(IsNameableType),
        _ => true,
    };

    private static Accessibility EffectiveAccessibility(ITypeSymbol type)
    {
        var result = Accessibility.Public;
        for (ISymbol? symbol = type; symbol is ITypeSymbol; symbol = symbol.ContainingType)
        {
            result = Narrower(result, symbol.DeclaredAccessibility);
        }

        return result;

        static Accessibility Narrower(Accessibility a, Accessibility b)
        {
            if (a == b || b is Accessibility.Public or Accessibility.NotApplicable)
            {
                return a;
            }

            if (a is Accessibility.Public or Accessibility.NotApplicable)
            {
                return b;
            }

            if (a == Accessibility.Private || b == Accessibility.Private)
            {
                return Accessibility.Private;
            }

            if (a == Accessibility.ProtectedOrInternal)
            {
                return b;
            }

            if (b == Accessibility.ProtectedOrInternal)
            {
                return a;
            }

            // Protected with internal, or either with private protected.
            return Accessibility.ProtectedAndInternal;
        }
    }

    private static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        Accessibility.Private => "private",
        _ => "public",
    };

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string DeclaredName(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0
            ? Identifier(type.Name)
            : Identifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(p => Identifier(p.Name))) + ">";

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary><c>Namespace.Outer.Graph</c>, with metadata names for generic types, in characters a hint name allows.</summary>
    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var outer = type; outer is not null; outer = outer.ContainingType)
        {
            parts.Insert(0, outer.MetadataName);
        }

        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            parts.Insert(0, ns.ToDisplayString());
        }

        var text = new StringBuilder(string.Join(".", parts));
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsLetterOrDigit(text[i]) && text[i] is not ('.' or '_'))
            {
                text[i] = '_';
            }
        }

        return text.Append(".Graph.g.cs").ToString();
    }

    // ---- attributes ----

    private static string? AttributeName(AttributeData attribute) =>
        attribute.AttributeClass is { } c && IsInDashFlow(c) ? c.Name : null;

    private static AttributeData? FindAttribute(ISymbol symbol, string name)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (AttributeName(attribute) == name)
            {
                return attribute;
            }
        }

        return null;
    }

    private static TypedConstant? Named(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    private static string? NamedString(AttributeData attribute, string name) => Named(attribute, name)?.Value as string;

    private static int? NamedInt(AttributeData attribute, string name) => Named(attribute, name) is { Value: int value } ? value : null;

    private static bool? NamedBool(AttributeData attribute, string name) => Named(attribute, name) is { Value: bool value } ? value : null;

    private static ImmutableArray<TypedConstant> NamedArray(AttributeData attribute, string name) =>
        Named(attribute, name) is { Kind: TypedConstantKind.Array, IsNull: false } array ? array.Values : [];

    private static List<string> NamedStrings(AttributeData attribute, string name) =>
        Named(attribute, name) is { } constant ? Strings(constant) : [];

    private static List<string> Strings(TypedConstant constant) =>
        constant is { Kind: TypedConstantKind.Array, IsNull: false }
            ? constant.Values.Select(v => v.Value as string).Where(v => v is not null).Select(v => v!).ToList()
            : [];

    private static GraphEmitKind Min(GraphEmitKind a, GraphEmitKind b) => a < b ? a : b;
}
