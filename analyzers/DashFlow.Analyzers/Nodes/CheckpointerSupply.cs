using DashFlow.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Nodes;

/// <summary>What the code shows about a checkpointer reaching a run.</summary>
internal enum Supply
{
    /// <summary>Visibly none: no options, no checkpointer in them, or one set to null.</summary>
    None,

    /// <summary>A checkpointer is set somewhere the run can get it from.</summary>
    Some,

    /// <summary>The analyzer cannot tell: a value from elsewhere, or a compiled graph that leaves the method.</summary>
    Unknown,
}

/// <summary>
/// Follows <c>CompileOptions</c> and <c>RunConfig</c> values, and the uses of a compiled graph, inside one member body.
/// Only what is written there counts as <see cref="Supply.None"/>; everything it cannot follow is
/// <see cref="Supply.Unknown"/>, which never leads to a diagnostic.
/// </summary>
internal sealed class CheckpointerSupply(KnownSymbols symbols, LocalValues locals)
{
    /// <summary>How many locals are followed from one value (<c>var b = a; var c = b;</c>).</summary>
    private const int MaxDepth = 8;

    private const string CheckpointerProperty = "Checkpointer";

    /// <summary>What the options passed to <c>Compile</c> supply.</summary>
    public Supply OfCompileOptions(IInvocationOperation compile) =>
        Of(ArgumentOfType(compile, symbols.CompileOptions), symbols.CompileOptions!, depth: 0);

    /// <summary>
    /// What the uses of the graph that <paramref name="compile"/> returns supply: <see cref="Supply.None"/> when every
    /// use is a call whose <c>RunConfig</c> visibly has no checkpointer, or a member that takes none (its name, its
    /// diagram), or when the graph is not used at all.
    /// </summary>
    public Supply OfUses(IInvocationOperation compile)
    {
        IOperation value = compile;
        while (value.Parent is IConversionOperation { Conversion.IsIdentity: true } identity)
        {
            value = identity;
        }

        switch (value.Parent)
        {
            case IExpressionStatementOperation:
            case ISimpleAssignmentOperation { Target: IDiscardOperation }:
                return Supply.None;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { RefKind: RefKind.None } local } }:
                var supply = Supply.None;
                foreach (var reference in locals.References(local))
                {
                    supply = Combine(supply, LocalValues.IsWrite(reference) ? Supply.Unknown : OfUse(reference));
                }

                return supply;
            default:
                return OfUse(value);
        }
    }

    /// <summary>What one use of a compiled graph supplies.</summary>
    private Supply OfUse(IOperation graph) => graph.Parent switch
    {
        // InvokeAsync, StreamAsync, GetStateAsync, ...: the RunConfig decides. Calls that take none add nothing.
        IInvocationOperation call when call.Instance == graph => Of(ArgumentOfType(call, symbols.RunConfig), symbols.RunConfig!, depth: 0),
        IPropertyReferenceOperation property when property.Instance == graph => Supply.None,

        // Returned, stored, passed on, converted, captured by an extension method: someone else may run it.
        _ => Supply.Unknown,
    };

    /// <summary>What a <paramref name="type"/> value (CompileOptions or RunConfig) supplies.</summary>
    private Supply Of(IOperation? value, INamedTypeSymbol type, int depth)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is null || IsNull(value))
        {
            return Supply.None;
        }

        switch (value)
        {
            case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, type):
                return OfInitializer(creation.Initializer) ?? Supply.None;
            case IWithOperation with when SymbolEqualityComparer.Default.Equals(with.Type, type):
                return OfInitializer(with.Initializer) ?? Of(with.Operand, type, depth);
            case ILocalReferenceOperation reference when depth < MaxDepth:
                return locals.InitialValue(reference.Local) is { } initial ? Of(initial, type, depth + 1) : Supply.Unknown;
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                return Combine(Of(conditional.WhenTrue, type, depth), Of(whenFalse, type, depth));
            case ICoalesceOperation coalesce:
                return Combine(Of(coalesce.Value, type, depth), Of(coalesce.WhenNull, type, depth));
            default:
                return Supply.Unknown;
        }
    }

    /// <summary>What <c>{ Checkpointer = ... }</c> supplies; null when the initializer does not set it.</summary>
    private static Supply? OfInitializer(IObjectOrCollectionInitializerOperation? initializer)
    {
        Supply? result = null;
        foreach (var assignment in initializer?.Initializers.OfType<ISimpleAssignmentOperation>() ?? [])
        {
            if (assignment.Target is IPropertyReferenceOperation { Property.Name: CheckpointerProperty })
            {
                var assigned = assignment.Value;
                while (assigned is IConversionOperation conversion)
                {
                    assigned = conversion.Operand;
                }

                result = IsNull(assigned) ? Supply.None : Supply.Some;
            }
        }

        return result;
    }

    /// <summary>Either of two values: none only when both are none.</summary>
    private static Supply Combine(Supply first, Supply second) =>
        first == second ? first : first == Supply.Unknown || second == Supply.Unknown ? Supply.Unknown : Supply.Some;

    private static IOperation? ArgumentOfType(IInvocationOperation call, INamedTypeSymbol? type) =>
        call.Arguments.FirstOrDefault(a => a.Parameter is { } parameter && SymbolEqualityComparer.Default.Equals(parameter.Type, type))?.Value;

    private static bool IsNull(IOperation operation) =>
        operation is IDefaultValueOperation || operation.ConstantValue is { HasValue: true, Value: null };
}
