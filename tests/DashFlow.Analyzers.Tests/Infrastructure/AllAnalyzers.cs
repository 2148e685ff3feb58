using System.Collections.Immutable;
using DashFlow.Analyzers.Builder;
using DashFlow.Analyzers.Declarations;
using DashFlow.Analyzers.Graph;
using DashFlow.Analyzers.Nodes;
using DashFlow.Analyzers.State;
using DashFlow.Generators.Graph;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DashFlow.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs the generators and then every DashFlow analyzer over sources that need not compile, the way a build or the IDE
/// does, and fails on any exception an analyzer throws.
/// </summary>
internal static class AllAnalyzers
{
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
        [new PartialTypeAnalyzer(), new GraphStateAnalyzer(), new GraphAnalyzer(), new StateGraphBuilderAnalyzer(), new InterruptWithoutCheckpointerAnalyzer()];

    /// <summary>The DFLOW diagnostics of <paramref name="sources"/>; throws when an analyzer or generator failed.</summary>
    public static async Task<IReadOnlyList<Diagnostic>> RunAsync(params string[] sources)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "OddShapes",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Input{i}.cs")),
            TestSetup.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(
            [new GraphStateGenerator().AsSourceGenerator(), new GraphGenerator().AsSourceGenerator()], parseOptions: parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var generatorFailures = driver.GetRunResult().Results.Where(r => r.Exception is not null).Select(r => r.Exception!.ToString()).ToList();
        Assert.True(generatorFailures.Count == 0, string.Join("\n", generatorFailures));

        var failures = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, analyzer, _) => failures.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await output.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return [.. diagnostics.Where(d => d.Id.StartsWith("DFLOW", StringComparison.Ordinal)).OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>The ids of <paramref name="diagnostics"/>, sorted, for comparing sets.</summary>
    public static string[] Ids(IEnumerable<Diagnostic> diagnostics) => [.. diagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal)];
}
