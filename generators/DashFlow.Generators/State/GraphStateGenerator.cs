using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Generators.State;

/// <summary>
/// Generates the partial update type, the superstep merge, the field metadata and the schema version of every
/// <c>[GraphState]</c> type. Reports no diagnostics: the analyzers reuse <see cref="Parse"/> for that.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class GraphStateGenerator : IIncrementalGenerator
{
    private const string GraphStateAttributeName = "DashFlow.GraphStateAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var states = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                GraphStateAttributeName,
                static (node, _) => node is ClassDeclarationSyntax
                    || (node is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword)),
                static (context, cancellationToken) => context.TargetSymbol is INamedTypeSymbol type
                    ? Parse(type, context.SemanticModel.Compilation, cancellationToken).Model
                    : null)
            .WithTrackingName(GeneratorStepNames.GraphStateParse)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(GeneratorStepNames.GraphStateModel);

        context.RegisterSourceOutput(states, static (output, model) => output.AddSource(model.HintName, Emit(model)));
    }
}
