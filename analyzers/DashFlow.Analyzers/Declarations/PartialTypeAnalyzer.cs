using System.Collections.Immutable;
using DashFlow.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DashFlow.Analyzers.Declarations;

/// <summary>
/// DFLOW0001: a <c>[GraphState]</c> type, a <c>[Graph&lt;TState&gt;]</c> class, or a type either is nested in, declared
/// without <c>partial</c>. Each type is judged in its own symbol action, so the diagnostic sits on the declaration
/// that needs the modifier (and the code fix can add it there).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PartialTypeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>How deep nested types are searched for a state or graph.</summary>
    private const int MaxNesting = 8;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.TypeNotPartial];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation) is not { } symbols || (symbols.GraphAttribute is null && symbols.GraphStateAttribute is null))
            {
                return;
            }

            start.RegisterSymbolAction(symbol => Analyze(symbol, symbols), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;

        // A type declared in several places without 'partial' on one of them is reported by the compiler (CS0260).
        if (type.DeclaringSyntaxReferences is not [var reference]
            || reference.GetSyntax(context.CancellationToken) is not TypeDeclarationSyntax declaration
            || declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return;
        }

        string? message = null;
        if (IsState(type, symbols))
        {
            message = $"The [GraphState] type '{type.Name}' must be partial, so that the generator can add its Update type and merge. Add the 'partial' modifier.";
        }
        else if (IsGraph(type, symbols))
        {
            message = $"Graph class '{type.Name}' must be partial so that the generator can add its members; add the 'partial' modifier.";
        }
        else if (FindNested(type, symbols, 0) is { } inner)
        {
            var what = IsState(inner, symbols) ? "[GraphState] type" : "graph class";
            message = $"Type '{type.Name}' contains the {what} '{inner.Name}', so it must be partial too, for the generator to extend '{inner.Name}'; add the 'partial' modifier.";
        }

        if (message is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TypeNotPartial, declaration.Identifier.GetLocation(), message));
        }
    }

    private static INamedTypeSymbol? FindNested(INamedTypeSymbol type, KnownSymbols symbols, int depth)
    {
        if (depth >= MaxNesting)
        {
            return null;
        }

        foreach (var nested in type.GetTypeMembers())
        {
            if (IsState(nested, symbols) || IsGraph(nested, symbols))
            {
                return nested;
            }

            if (FindNested(nested, symbols, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsState(INamedTypeSymbol type, KnownSymbols symbols) =>
        symbols.GraphStateAttribute is not null && type.GetAttributes().Any(a => KnownSymbols.Is(a, symbols.GraphStateAttribute));

    private static bool IsGraph(INamedTypeSymbol type, KnownSymbols symbols) =>
        symbols.GraphAttribute is not null && type.GetAttributes().Any(a => KnownSymbols.Is(a, symbols.GraphAttribute));
}
