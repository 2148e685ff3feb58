using System.Collections.Immutable;
using DashFlow.Analyzers.Helpers;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DashFlow.Analyzers.State;

/// <summary>
/// Reports the mistakes of <c>[GraphState]</c> types: what the state generator's parser lists (generic, reducers
/// that do not fit, field types a state cannot hold, names the generator needs), and two rules of its own:
/// mutable collections and field types a checkpoint cannot store. One symbol action per state type.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GraphStateAnalyzer : DiagnosticAnalyzer
{
    private static readonly SymbolDisplayFormat s_display = SymbolDisplayFormat.MinimallyQualifiedFormat;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.ReducerDoesNotFit,
        DiagnosticDescriptors.MutableCollection,
        DiagnosticDescriptors.NotSerializable,
        DiagnosticDescriptors.UnsupportedFieldType,
        DiagnosticDescriptors.StateNotGeneratable,
    ];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation) is not { GraphStateAttribute: { } attribute })
            {
                return;
            }

            start.RegisterSymbolAction(symbol => Analyze(symbol, attribute), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol graphStateAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => KnownSymbols.Is(a, graphStateAttribute)))
        {
            return;
        }

        var cancellationToken = context.CancellationToken;
        var typeLocation = LocationOf(type);
        var result = GraphStateGenerator.Parse(type, context.Compilation, cancellationToken);
        var unsupported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var problem in result.Problems)
        {
            switch (problem.Kind)
            {
                case StateProblemKind.Generic or StateProblemKind.FileLocal or StateProblemKind.NotInstantiable:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StateNotGeneratable, typeLocation, problem.Message));
                    break;
                case StateProblemKind.ReservedMemberName or StateProblemKind.FieldNameConflict:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StateNotGeneratable, MemberLocation(type, problem.Member, typeLocation), problem.Message));
                    break;
                case StateProblemKind.UnsupportedFieldType:
                    unsupported.Add(problem.Member ?? "");
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedFieldType, MemberLocation(type, problem.Member, typeLocation), problem.Message));
                    break;
                case StateProblemKind.ReducerDoesNotFit or StateProblemKind.InvalidCustomReducer or StateProblemKind.AddMessagesUnavailable:
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ReducerDoesNotFit, ReducerLocation(type, problem.Member, typeLocation, cancellationToken), problem.Message));
                    break;

                case StateProblemKind.InvalidFieldCodec:
                    // The field is stored as if it had no codec: say why the codec was not used.
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotSerializable, MemberLocation(type, problem.Member, typeLocation), problem.Message));
                    break;

                // Not partial: reported by PartialTypeAnalyzer, at the declaration that lacks the modifier.
                default:
                    break;
            }
        }

        foreach (var property in Fields(type))
        {
            if (unsupported.Contains(property.Name) || property.Type.TypeKind == TypeKind.Error)
            {
                continue;
            }

            var location = TypeLocation(property, cancellationToken);
            var typeText = property.Type.ToDisplayString(s_display);
            if (FieldTypeRules.FindMutableCollection(property.Type) is var (mutable, instead))
            {
                var inner = SymbolEqualityComparer.Default.Equals(mutable, property.Type) ? "" : $", which holds the mutable collection '{mutable.ToDisplayString(s_display)}'";
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MutableCollection, location,
                    $"Field '{property.Name}' of '{type.Name}' has type '{typeText}'{inner}. Nodes share one state snapshot, and changes made in place " +
                    $"bypass the reducers; use {(instead.StartsWith("an ", StringComparison.Ordinal) ? instead : $"'{instead}'")} instead."));
            }

            if (FieldTypeRules.FindNotSerializable(property, context.Compilation) is var (part, reason))
            {
                var inner = SymbolEqualityComparer.Default.Equals(part, property.Type) ? "" : $", which holds '{part.ToDisplayString(s_display)}'";
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotSerializable, location,
                    $"Field '{property.Name}' of '{type.Name}' has type '{typeText}'{inner}: {reason} cannot be stored in a checkpoint. " +
                    "Keep it out of the state (for example as a dependency of the graph class) and store plain data instead."));
            }
        }
    }

    /// <summary>The properties the state generator treats as fields: public, instance, settable, not generated.</summary>
    private static IEnumerable<IPropertySymbol> Fields(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IPropertySymbol>().Where(p =>
            p is { DeclaredAccessibility: Accessibility.Public, IsStatic: false, IsIndexer: false, SetMethod: not null }
            && p.Locations.Any(l => l.IsInSource)
            && !p.GetAttributes().Any(a => a.AttributeClass is { Name: "GeneratedCodeAttribute" }));

    private static Location LocationOf(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;

    private static Location MemberLocation(INamedTypeSymbol type, string? member, Location fallback) =>
        member is null
            ? fallback
            : type.GetMembers(member).SelectMany(m => m.Locations).FirstOrDefault(l => l.IsInSource && !IsGenerated(l)) ?? fallback;

    /// <summary>The property's <c>[Reducer]</c> attribute, where the fix goes; the property when it has none in source.</summary>
    private static Location ReducerLocation(INamedTypeSymbol type, string? member, Location fallback, CancellationToken cancellationToken)
    {
        var property = member is null ? null : type.GetMembers(member).OfType<IPropertySymbol>().FirstOrDefault();
        if (property is null)
        {
            return fallback;
        }

        var reducer = property.GetAttributes().FirstOrDefault(a => a.AttributeClass is { Name: "ReducerAttribute" });
        return (reducer is null ? null : AttributeArguments.Syntax(reducer, cancellationToken)?.GetLocation()) ?? LocationOf(property);
    }

    /// <summary>The written type of a property, where a type rule points; the property's name when it is not a plain declaration.</summary>
    private static Location TypeLocation(IPropertySymbol property, CancellationToken cancellationToken) =>
        property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is PropertyDeclarationSyntax declaration
            ? declaration.Type.GetLocation()
            : LocationOf(property);

    private static bool IsGenerated(Location location) =>
        location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) == true;
}
