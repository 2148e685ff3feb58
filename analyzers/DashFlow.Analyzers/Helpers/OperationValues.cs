using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Helpers;

/// <summary>A value a router returns that the analyzer can read: a member of the generated <c>Target</c>, or a constant node name.</summary>
/// <param name="Value">The <c>Target</c> member's name (<see cref="IsTargetMember"/>) or the node name.</param>
/// <param name="IsTargetMember">Whether <paramref name="Value"/> is a <c>Target</c> member rather than a node name.</param>
/// <param name="Location">The returned expression.</param>
internal readonly record struct ReturnedTarget(string Value, bool IsTargetMember, Location Location);

/// <summary>Reads what code returns or writes, through the operation tree.</summary>
internal static class OperationValues
{
    /// <summary>
    /// The targets a router returns where they are visible: <c>Target.X</c>, constant strings (<c>"x"</c>,
    /// <c>nameof(X)</c>, <c>NodeIds.X</c>, <c>Graph.End</c>) and the node of <c>new Send(node, arg)</c>, through
    /// conditionals, switch expressions, <c>??</c>, arrays and collection expressions. Returns of lambdas and local
    /// functions inside the router are not the router's.
    /// </summary>
    public static void CollectReturns(IOperation root, INamedTypeSymbol? target, INamedTypeSymbol? send, List<ReturnedTarget> results)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is IReturnOperation { ReturnedValue: { } value } && !IsInNestedFunction(operation, root))
            {
                foreach (var leaf in Leaves(value, send))
                {
                    if (Read(leaf, target) is { } returned)
                    {
                        results.Add(returned);
                    }
                }
            }
        }
    }

    /// <summary>The values an expression can evaluate to, one level of branching at a time.</summary>
    public static IEnumerable<IOperation> Leaves(IOperation operation, INamedTypeSymbol? send)
    {
        switch (operation)
        {
            case IConversionOperation conversion:
                return Leaves(conversion.Operand, send);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                return Leaves(conditional.WhenTrue, send).Concat(Leaves(whenFalse, send));
            case ISwitchExpressionOperation switchExpression:
                return switchExpression.Arms.SelectMany(arm => Leaves(arm.Value, send));
            case ICoalesceOperation coalesce:
                return Leaves(coalesce.Value, send).Concat(Leaves(coalesce.WhenNull, send));
            case IArrayCreationOperation { Initializer: { } initializer }:
                return initializer.ElementValues.SelectMany(element => Leaves(element, send));
            case ICollectionExpressionOperation collection:
                return collection.Elements.Where(e => e is not ISpreadOperation).SelectMany(element => Leaves(element, send));
            case IObjectCreationOperation creation when send is not null && SymbolEqualityComparer.Default.Equals(creation.Type, send):
                return creation.Arguments.Where(a => a.Parameter?.Ordinal == 0).Select(a => a.Value);
            default:
                return [operation];
        }
    }

    /// <summary>
    /// What a node visibly writes: the properties set in object initializers of the state's generated
    /// <paramref name="update"/> type (<c>new() { Summary = ... }</c>, <c>new S.Update { ... }</c>) anywhere under
    /// <paramref name="root"/>, each with the first place it is set.
    /// </summary>
    public static void CollectUpdateWrites(IOperation root, INamedTypeSymbol update, Dictionary<string, Location> writes)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is IObjectCreationOperation { Initializer: { } initializer } creation
                && SymbolEqualityComparer.Default.Equals(creation.Type, update))
            {
                foreach (var assignment in initializer.Initializers.OfType<ISimpleAssignmentOperation>())
                {
                    if (assignment.Target is IPropertyReferenceOperation { Property: { } property } && !writes.ContainsKey(property.Name))
                    {
                        writes.Add(property.Name, assignment.Syntax.GetLocation());
                    }
                }
            }
        }
    }

    /// <summary>The lambda a delegate argument (a node handler, a router) is written as, if it is one.</summary>
    public static IAnonymousFunctionOperation? Lambda(IOperation? argument)
    {
        while (argument is IConversionOperation conversion)
        {
            argument = conversion.Operand;
        }

        return argument is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ? lambda : null;
    }

    /// <summary>The constant string an operation evaluates to, if it is one.</summary>
    public static string? ConstantString(IOperation? operation) =>
        operation is { ConstantValue: { HasValue: true, Value: string value } } ? value : null;

    private static ReturnedTarget? Read(IOperation leaf, INamedTypeSymbol? target)
    {
        while (leaf is IConversionOperation conversion)
        {
            leaf = conversion.Operand;
        }

        if (target is not null && leaf is IFieldReferenceOperation { Field: { } field }
            && SymbolEqualityComparer.Default.Equals(field.ContainingType, target))
        {
            return new ReturnedTarget(field.Name, true, leaf.Syntax.GetLocation());
        }

        return ConstantString(leaf) is { } name ? new ReturnedTarget(name, false, leaf.Syntax.GetLocation()) : null;
    }

    /// <summary>Whether <paramref name="operation"/> sits in a lambda or local function inside <paramref name="root"/>.</summary>
    public static bool IsInNestedFunction(IOperation operation, IOperation root)
    {
        for (var parent = operation.Parent; parent is not null && parent != root; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }
}
