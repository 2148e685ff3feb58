using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Analyzers.Helpers;

/// <summary>
/// Reads string arguments of an attribute with the place each one is written, so that a diagnostic points at the name
/// that is wrong, not at the whole attribute. Values come from the bound <see cref="AttributeData"/> (constants such as
/// <c>nameof(Write)</c> or <c>Graph.End</c> are already evaluated); places come from the attribute's syntax, matched
/// by position. Never throws on code that does not compile yet: what cannot be matched points at the attribute.
/// </summary>
internal static class AttributeArguments
{
    /// <summary>A string value of an attribute argument and where it is written.</summary>
    public readonly record struct StringArgument(string Value, Location Location);

    /// <summary>The attribute's syntax, or null when it has none in source.</summary>
    public static AttributeSyntax? Syntax(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

    /// <summary>Where the attribute is written, or <paramref name="fallback"/> when it is not in source.</summary>
    public static Location LocationOf(AttributeData attribute, Location fallback, CancellationToken cancellationToken) =>
        Syntax(attribute, cancellationToken)?.GetLocation() ?? fallback;

    /// <summary>The string value of constructor argument <paramref name="index"/>, if it is a string.</summary>
    public static StringArgument? ConstructorString(AttributeData attribute, int index, Location fallback, CancellationToken cancellationToken)
    {
        if (attribute.ConstructorArguments.Length <= index
            || attribute.ConstructorArguments[index] is not { Kind: TypedConstantKind.Primitive, Value: string value })
        {
            return null;
        }

        var syntax = Syntax(attribute, cancellationToken);
        var positional = Positional(syntax);
        var location = index < positional.Count ? positional[index].Expression.GetLocation() : syntax?.GetLocation() ?? fallback;
        return new StringArgument(value, location);
    }

    /// <summary>The string value of the named argument <paramref name="name"/>, if it is set to a string.</summary>
    public static StringArgument? NamedString(AttributeData attribute, string name, Location fallback, CancellationToken cancellationToken)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value is { Kind: TypedConstantKind.Primitive, Value: string value })
            {
                var syntax = Syntax(attribute, cancellationToken);
                var argument = Named(syntax, name);
                return new StringArgument(value, argument?.Expression.GetLocation() ?? syntax?.GetLocation() ?? fallback);
            }
        }

        return null;
    }

    /// <summary>The strings of the array-typed named argument <paramref name="name"/> (for example <c>Targets = [...]</c>).</summary>
    public static List<StringArgument>? NamedStrings(AttributeData attribute, string name, Location fallback, CancellationToken cancellationToken)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value is { Kind: TypedConstantKind.Array, IsNull: false } array)
            {
                var syntax = Syntax(attribute, cancellationToken);
                var argument = Named(syntax, name);
                var elements = argument is null ? null : Elements(argument.Expression);
                return Strings(array, elements, argument?.Expression.GetLocation() ?? syntax?.GetLocation() ?? fallback);
            }
        }

        return null;
    }

    /// <summary>
    /// The strings of a <c>params string[]</c> constructor parameter (the only one), written either as separate arguments
    /// or as one array.
    /// </summary>
    public static List<StringArgument> ParamsStrings(AttributeData attribute, Location fallback, CancellationToken cancellationToken)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0] is not { Kind: TypedConstantKind.Array, IsNull: false } array)
        {
            return [];
        }

        var syntax = Syntax(attribute, cancellationToken);
        var positional = Positional(syntax);
        List<ExpressionSyntax>? elements = null;
        if (positional.Count == array.Values.Length)
        {
            elements = [.. positional.Select(a => a.Expression)];
        }
        else if (positional.Count == 1)
        {
            elements = Elements(positional[0].Expression);
        }

        return Strings(array, elements, syntax?.GetLocation() ?? fallback);
    }

    private static List<StringArgument> Strings(TypedConstant array, List<ExpressionSyntax>? elements, Location fallback)
    {
        var result = new List<StringArgument>();
        var values = array.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { Kind: TypedConstantKind.Primitive, Value: string value })
            {
                var location = elements is not null && elements.Count == values.Length ? elements[i].GetLocation() : fallback;
                result.Add(new StringArgument(value, location));
            }
        }

        return result;
    }

    private static List<AttributeArgumentSyntax> Positional(AttributeSyntax? syntax) =>
        syntax?.ArgumentList is { } list ? [.. list.Arguments.Where(a => a.NameEquals is null)] : [];

    private static AttributeArgumentSyntax? Named(AttributeSyntax? syntax, string name) =>
        syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    /// <summary>The elements of an array written as <c>[a, b]</c>, <c>new[] { a, b }</c> or <c>new string[] { a, b }</c>.</summary>
    private static List<ExpressionSyntax>? Elements(ExpressionSyntax expression) => expression switch
    {
        CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax) =>
            [.. collection.Elements.Cast<ExpressionElementSyntax>().Select(e => e.Expression)],
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => [.. initializer.Expressions],
        ImplicitArrayCreationExpressionSyntax { Initializer: { } initializer } => [.. initializer.Expressions],
        _ => null,
    };
}
