using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Builder;

/// <summary>
/// Finds every builder call made on one <c>new StateGraph&lt;T&gt;()</c>, in order, when all of them can be seen in
/// the method that creates it and the graph is compiled there.
/// </summary>
internal static class BuilderCalls
{
    /// <summary>The calls, or null when the builder escapes the analysis or is never compiled in sight.</summary>
    public static List<IInvocationOperation>? Find(IObjectCreationOperation creation, INamedTypeSymbol stateGraph)
    {
        var calls = new List<IInvocationOperation>();
        var (top, compiled) = Chain(creation, stateGraph, calls);
        if (compiled)
        {
            return calls;
        }

        // var graph = new StateGraph<T>()...; followed by statements that use it.
        if (top.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { } local } declarator }
            || declarator.Parent?.Parent is not IVariableDeclarationGroupOperation { Parent: IBlockOperation block })
        {
            return null;
        }

        var function = EnclosingFunction(creation);
        var root = Root(creation);
        var references = root.DescendantsAndSelf()
            .OfType<ILocalReferenceOperation>()
            .Where(r => SymbolEqualityComparer.Default.Equals(r.Local, local))
            .OrderBy(r => r.Syntax.SpanStart)
            .ToList();
        foreach (var reference in references)
        {
            if (EnclosingFunction(reference) != function)
            {
                return null;
            }

            var before = calls.Count;
            var (chainTop, chainCompiles) = Chain(reference, stateGraph, calls);
            if (calls.Count == before)
            {
                // Used other than as the receiver of a builder call: passed on, assigned, returned.
                return null;
            }

            compiled |= chainCompiles;
            var statementInBlock = chainTop.Parent is IExpressionStatementOperation { Parent: var parent } && parent == block;
            if (!statementInBlock && !chainCompiles)
            {
                // A call inside a branch or a loop may or may not happen; a chain whose builder result is kept elsewhere escapes.
                return null;
            }
        }

        return compiled ? calls : null;
    }

    /// <summary>Follows builder calls made on <paramref name="receiver"/>: <c>receiver.A(...).B(...)</c>.</summary>
    /// <returns>The last operation of the chain, and whether the chain ends by compiling the graph.</returns>
    private static (IOperation Top, bool Compiles) Chain(IOperation receiver, INamedTypeSymbol stateGraph, List<IInvocationOperation> calls)
    {
        var current = receiver;
        while (current.Parent is IInvocationOperation invocation
               && invocation.Instance == current
               && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, stateGraph))
        {
            calls.Add(invocation);
            current = invocation;
            if (invocation.TargetMethod.Name == "Compile")
            {
                return (current, true);
            }

            if (!SymbolEqualityComparer.Default.Equals(invocation.Type?.OriginalDefinition, stateGraph))
            {
                break;
            }
        }

        return (current, false);
    }

    private static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>The lambda or local function that holds <paramref name="operation"/>, or null for the member's own body.</summary>
    private static IOperation? EnclosingFunction(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return parent;
            }
        }

        return null;
    }
}
