using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.CodeFixes;

/// <summary>How code fixes write DashFlow names: short where the file's usings allow it, fully qualified otherwise.</summary>
internal static class Names
{
    /// <summary>Whether <paramref name="name"/> at <paramref name="position"/> binds to the DashFlow type of that name.</summary>
    public static bool IsDashFlowType(SemanticModel model, int position, string name) =>
        model.LookupNamespacesAndTypes(position, name: name).Length == 1
        && model.LookupNamespacesAndTypes(position, name: name)[0] is INamedTypeSymbol { ContainingNamespace: { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>Whether <paramref name="name"/> at <paramref name="position"/> binds to the constant of that name in <c>DashFlow.Reduce</c>.</summary>
    public static bool IsReduceConstant(SemanticModel model, int position, string name) =>
        model.LookupSymbols(position, name: name) is [IFieldSymbol { ContainingType: { Name: "Reduce", ContainingNamespace: { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true } } }];

    /// <summary>The rightmost identifier of a name: <c>Node</c> for <c>DashFlow.Node</c>.</summary>
    public static string SimpleName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => "",
    };
}
