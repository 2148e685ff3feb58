using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Generators.Graph;

/// <summary>
/// Generates, for every <c>[Graph&lt;TState&gt;]</c> class, its node ids, the typed router targets, the graph's shape
/// and Mermaid text, and <c>CreateBuilder()</c> / <c>Compile()</c>, which drive the fluent <c>StateGraph</c> builder so
/// that attribute graphs and builder graphs share one engine. It reports no diagnostics: analyzers do, from the same model.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class GraphGenerator : IIncrementalGenerator
{
    private const string GraphAttributeMetadataName = "DashFlow.GraphAttribute`1";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var graphs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                GraphAttributeMetadataName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (attributeContext, cancellationToken) =>
                    attributeContext.TargetSymbol is INamedTypeSymbol type && attributeContext.Attributes.Length > 0
                        ? Parse(type, attributeContext.Attributes[0], cancellationToken)
                        : null)
            .WithTrackingName(GeneratorStepNames.GraphParse)
            .Where(static model => model is { EmitKind: not GraphEmitKind.Nothing })
            .Select(static (model, _) => model!)
            .WithTrackingName(GeneratorStepNames.GraphModel);

        context.RegisterSourceOutput(graphs, static (output, model) => output.AddSource(model.HintName, Emit(model)));
    }
}
