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
/// DFLOW0107: gives the state field that two parallel nodes write the reducer that fits its type (<c>Append</c> for
/// immutable lists and arrays, <c>Union</c> for sets, <c>Merge</c> for dictionaries). The field may be in another file.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddReducerCodeFix)), Shared]
public sealed class AddReducerCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticDescriptors.ParallelReplaceWriteId];

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ReducerProperty, out var reducer) && reducer is not null
                && diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FieldProperty, out var field) && field is not null
                && diagnostic.AdditionalLocations.LastOrDefault() is { SourceTree: { } tree } property
                && context.Document.Project.Solution.GetDocument(tree) is { } document)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Give '{field}' the reducer {reducer}",
                        cancellationToken => AddReducerAsync(document, property.SourceSpan, reducer, cancellationToken),
                        equivalenceKey: nameof(AddReducerCodeFix) + reducer),
                    diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static async Task<Solution> AddReducerAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, string reducer, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root?.FindToken(span.Start).Parent is not PropertyDeclarationSyntax property || model is null)
        {
            return document.Project.Solution;
        }

        var position = property.SpanStart;
        var attributeName = Names.IsDashFlowType(model, position, "ReducerAttribute") ? "Reducer" : "global::DashFlow.Reducer";
        var argument = Names.IsReduceConstant(model, position, reducer) ? reducer
            : Names.IsDashFlowType(model, position, "Reduce") ? "Reduce." + reducer
            : "global::DashFlow.Reduce." + reducer;
        var attribute = SyntaxFactory.Attribute(
            SyntaxFactory.ParseName(attributeName),
            SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.AttributeArgument(SyntaxFactory.ParseExpression(argument)))));

        // An explicit [Reducer(Replace)] is replaced; otherwise the attribute goes on its own line above the property.
        var existing = property.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a => Names.SimpleName(a.Name) is "Reducer" or "ReducerAttribute");
        if (existing is not null)
        {
            return document.WithSyntaxRoot(root.ReplaceNode(existing, attribute.WithTriviaFrom(existing))).Project.Solution;
        }

        var leading = property.GetLeadingTrivia();
        var lastLineStart = leading.Count;
        while (lastLineStart > 0 && !leading[lastLineStart - 1].IsKind(SyntaxKind.EndOfLineTrivia))
        {
            lastLineStart--;
        }

        var indentation = SyntaxFactory.TriviaList(leading.Skip(lastLineStart).Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));
        var endOfLine = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } eol && eol.ToString() == "\r\n"
            ? SyntaxFactory.CarriageReturnLineFeed
            : SyntaxFactory.LineFeed;
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(endOfLine);
        var updated = property.WithLeadingTrivia(indentation);
        updated = updated.WithAttributeLists(updated.AttributeLists.Insert(0, list));
        return document.WithSyntaxRoot(root.ReplaceNode(property, updated)).Project.Solution;
    }
}
