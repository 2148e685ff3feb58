using System.Collections.Immutable;
using System.Composition;
using DashFlow.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.CodeFixes;

/// <summary>
/// DFLOW0102 on a dead end of an attribute graph: adds <c>Edge(Graph.End)</c> next to the node's <c>[Node]</c>, which
/// makes the stop explicit.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddEdgeToEndCodeFix)), Shared]
public sealed class AddEdgeToEndCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticDescriptors.NoPathToEndId];

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(DiagnosticDescriptors.DeadEndProperty)
                || root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not MethodDeclarationSyntax method
                || NodeAttributeList(method) is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Add [Edge(Graph.End)]: the node ends its branch",
                    cancellationToken => AddEdgeAsync(context.Document, method, cancellationToken),
                    equivalenceKey: nameof(AddEdgeToEndCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> AddEdgeAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var list = NodeAttributeList(method);
        if (root is null || model is null || list is null)
        {
            return document;
        }

        var position = list.SpanStart;
        var edge = Names.IsDashFlowType(model, position, "EdgeAttribute") ? "Edge" : "global::DashFlow.Edge";
        var graph = Names.IsDashFlowType(model, position, "Graph") ? "Graph" : "global::DashFlow.Graph";
        var edgeAttribute = SyntaxFactory.Attribute(
            SyntaxFactory.ParseName(edge),
            SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.AttributeArgument(SyntaxFactory.ParseExpression($"{graph}.End")))));
        var separator = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        var updated = list.WithAttributes(SyntaxFactory.SeparatedList<AttributeSyntax>(list.Attributes.GetWithSeparators().Add(separator).Add(edgeAttribute)));
        return document.WithSyntaxRoot(root.ReplaceNode(list, updated));
    }

    /// <summary>The attribute list that holds the method's <c>[Node]</c>.</summary>
    private static AttributeListSyntax? NodeAttributeList(MethodDeclarationSyntax method) =>
        method.AttributeLists.FirstOrDefault(l => l.Target is null && l.Attributes.Any(a => Names.SimpleName(a.Name) is "Node" or "NodeAttribute"));
}
