using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Topology;

/// <summary>
/// The Replace fields of a state (fields without a reducer), read with the state generator's parser so that the
/// parallel-write rule sees exactly the reducers the generated merge applies.
/// </summary>
internal static class ReplaceFieldReader
{
    /// <summary>The Replace fields of <paramref name="state"/> by name; empty when it is not a <c>[GraphState]</c> type.</summary>
    public static Dictionary<string, ReplaceField> Read(INamedTypeSymbol state, Compilation compilation, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ReplaceField>(StringComparer.Ordinal);
        if (!state.GetAttributes().Any(IsGraphStateAttribute))
        {
            return result;
        }

        var parsed = GraphStateGenerator.Parse(state, compilation, cancellationToken);
        if (parsed.Model is not { } model)
        {
            return result;
        }

        foreach (var field in model.Fields)
        {
            if (field.Reducer != ReducerKind.Replace)
            {
                continue;
            }

            var property = state.GetMembers(field.Name).OfType<IPropertySymbol>().FirstOrDefault();
            var location = property?.Locations.FirstOrDefault(l => l.IsInSource);
            result[field.Name] = new ReplaceField(location, property is null ? null : FittingReducer(property.Type));
        }

        return result;
    }

    /// <summary>The reducer that obviously fits a collection type: Append for lists, Union for sets, Merge for dictionaries.</summary>
    private static string? FittingReducer(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, ContainingNamespace: { } ns } named && ns.ToDisplayString() == "System.Collections.Immutable"
            ? named.Name switch
            {
                "ImmutableList" or "ImmutableArray" => "Append",
                "ImmutableHashSet" or "ImmutableSortedSet" => "Union",
                "ImmutableDictionary" or "ImmutableSortedDictionary" => "Merge",
                _ => null,
            }
            : null;

    private static bool IsGraphStateAttribute(AttributeData attribute) =>
        attribute.AttributeClass is { Name: "GraphStateAttribute", ContainingNamespace: { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true } };
}
