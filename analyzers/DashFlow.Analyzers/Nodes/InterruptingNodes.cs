using System.Collections.Concurrent;
using System.Collections.Immutable;
using DashFlow.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Nodes;

/// <summary>A node that visibly calls <c>NodeContext.Interrupt</c>.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Call">Its first call of Interrupt.</param>
internal readonly record struct InterruptingNode(string Name, Location Call);

/// <summary>
/// Finds the nodes that call <c>NodeContext.Interrupt</c> on their context, in <c>[Graph&lt;TState&gt;]</c> classes
/// (cached per class for the compilation) and in the lambdas of a fluent builder.
/// </summary>
internal sealed class InterruptingNodes(KnownSymbols symbols)
{
    private const string InterruptName = "Interrupt";

    private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableArray<InterruptingNode>> _graphs = new(SymbolEqualityComparer.Default);

    /// <summary>The interrupting node methods of a graph class, in declaration order.</summary>
    public ImmutableArray<InterruptingNode> OfGraphClass(INamedTypeSymbol graph, CancellationToken cancellationToken)
    {
        if (_graphs.TryGetValue(graph, out var known))
        {
            return known;
        }

        return _graphs.GetOrAdd(graph, Find(graph, cancellationToken));
    }

    /// <summary>The builder nodes added with a lambda that calls Interrupt on its NodeContext parameter.</summary>
    public List<InterruptingNode> OfBuilder(IEnumerable<IInvocationOperation> calls)
    {
        var result = new List<InterruptingNode>();
        foreach (var call in calls)
        {
            if (call.TargetMethod.Name is not ("AddNode" or "AddNodeCore")
                || OperationValues.Lambda(call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1)?.Value) is not { } lambda)
            {
                continue;
            }

            var contexts = lambda.Symbol.Parameters.Where(p => SymbolEqualityComparer.Default.Equals(p.Type, symbols.NodeContext)).ToList();
            if (contexts.Count == 0)
            {
                continue;
            }

            foreach (var operation in lambda.Body.Descendants())
            {
                if (operation is IInvocationOperation { TargetMethod.Name: InterruptName, Instance: IParameterReferenceOperation { Parameter: var parameter } } interrupt
                    && SymbolEqualityComparer.Default.Equals(interrupt.TargetMethod.ContainingType, symbols.NodeContext)
                    && contexts.Contains(parameter, SymbolEqualityComparer.Default)
                    && !OperationValues.IsInNestedFunction(interrupt, lambda.Body))
                {
                    var nameArgument = call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
                    var name = OperationValues.ConstantString(nameArgument) ?? nameArgument?.Syntax.ToString() ?? "?";
                    result.Add(new InterruptingNode(name, interrupt.Syntax.GetLocation()));
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Reads the node methods' syntax: the compile site that asks is usually in another file, whose code an analyzer
    /// action has no semantic model for. A call <c>context.Interrupt&lt;T&gt;(value)</c> on the node's
    /// <c>NodeContext</c> parameter binds to <c>NodeContext.Interrupt</c> (an instance method wins over any extension
    /// of that shape), so its shape is enough. Calls in lambdas and local functions inside the node are left out: their
    /// parameters may hide the context's name.
    /// </summary>
    private ImmutableArray<InterruptingNode> Find(INamedTypeSymbol graph, CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<InterruptingNode>();
        foreach (var member in graph.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                || KnownSymbols.Find(method, symbols.NodeAttribute) is not { } nodeAttribute)
            {
                continue;
            }

            var contexts = method.Parameters.Where(p => SymbolEqualityComparer.Default.Equals(p.Type, symbols.NodeContext)).Select(p => p.Name).ToList();
            if (contexts.Count == 0)
            {
                continue;
            }

            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reference.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
                    || FirstInterrupt((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody, contexts) is not { } call)
                {
                    continue;
                }

                var location = method.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
                var name = AttributeArguments.NamedString(nodeAttribute, "Name", location, cancellationToken)?.Value ?? method.Name;
                result.Add(new InterruptingNode(name, call.GetLocation()));
                break;
            }
        }

        return result.ToImmutable();
    }

    private static InvocationExpressionSyntax? FirstInterrupt(SyntaxNode? body, List<string> contexts)
    {
        if (body is null)
        {
            return null;
        }

        foreach (var node in body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is InvocationExpressionSyntax
                {
                    Expression: MemberAccessExpressionSyntax
                    {
                        Expression: IdentifierNameSyntax receiver,
                        Name: GenericNameSyntax { Identifier.ValueText: InterruptName, TypeArgumentList.Arguments.Count: 1 },
                    },
                    ArgumentList.Arguments.Count: 1,
                } invocation
                && contexts.Contains(receiver.Identifier.ValueText))
            {
                return invocation;
            }
        }

        return null;
    }
}
