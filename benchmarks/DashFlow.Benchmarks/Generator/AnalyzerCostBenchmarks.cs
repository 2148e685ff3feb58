using System.Collections.Immutable;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using DashFlow.Analyzers.Graph;
using DashFlow.Benchmarks.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DashFlow.Benchmarks.Generator;

/// <summary>
/// What DashFlow's analyzers add to a build: a project with a large attribute graph and a fluent-builder chain of as many
/// nodes (<see cref="LargeGraphSource"/>), compiled cold (a fresh driver, a fresh copy of the compilation, nothing bound
/// yet) in two ways:
/// <list type="bullet">
/// <item><c>Compile_Generators</c>: the generators run, then the compiler binds everything and reports its diagnostics
/// (<c>Compilation.GetDiagnostics</c>).</item>
/// <item><c>Compile_GeneratorsAndAnalyzers</c>: the same, with every DashFlow analyzer attached
/// (<c>CompilationWithAnalyzers.GetAllDiagnosticsAsync</c>, concurrent analysis, as the compiler runs them).</item>
/// </list>
/// The difference is the analyzers' cost. The smoke run uses a 20-node graph; the full run 200 nodes.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerCostBenchmarks
{
    /// <summary>The graph size of the smoke run: a compilation of this size takes a small fraction of a second.</summary>
    public const int SmokeNodes = 20;

    private CSharpCompilation _compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;

    /// <summary>Nodes in the attribute graph, and in the builder chain.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Nodes { get; set; } = LargeGraphSource.NodeCount;

    public static IEnumerable<int> Sizes => SuiteMode.Smoke ? [SmokeNodes] : [LargeGraphSource.NodeCount];

    /// <summary>Every analyzer in DashFlow's analyzer assembly, as the package passes them to the compiler.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> DashFlowAnalyzers() =>
    [
        .. typeof(GraphAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!),
    ];

    [GlobalSetup]
    public void Setup()
    {
        _compilation = Project(Nodes, unknownEdge: false);
        _analyzers = DashFlowAnalyzers();
        Validate();
    }

    /// <summary>
    /// The analyzers are found; the project compiles without errors and without DashFlow warnings or errors, and no
    /// analyzer throws; the same project with an edge to an unknown node, in the attribute graph and in the builder chain,
    /// gets DFLOW0103 from both (so the analyzers do run on both shapes).
    /// </summary>
    public void Validate()
    {
        if (_analyzers.Length < 4)
        {
            throw new InvalidOperationException($"Analyzer cost: found {_analyzers.Length} DashFlow analyzers ({string.Join(", ", _analyzers.Select(a => a.GetType().Name))}); expected at least the graph, state, partial-type and builder analyzers.");
        }

        var errors = Compile_Generators().Where(d => d.Severity == DiagnosticSeverity.Error).Take(5).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Analyzer cost: the project does not compile: " + string.Join(" | ", errors));
        }

        var reported = Compile_GeneratorsAndAnalyzers().GetAwaiter().GetResult()
            .Where(d => (d.Id.StartsWith("DFLOW", StringComparison.Ordinal) && d.Severity >= DiagnosticSeverity.Warning) || d.Id == "AD0001")
            .Take(5)
            .ToList();
        if (reported.Count > 0)
        {
            throw new InvalidOperationException("Analyzer cost: the valid project gets analyzer warnings, errors or failures: " + string.Join(" | ", reported));
        }

        var broken = Analyze(Project(Nodes, unknownEdge: true)).GetAwaiter().GetResult();
        var unknown = broken.Where(d => d.Id == "DFLOW0103").Select(d => d.Location.SourceTree?.FilePath).Distinct().Order(StringComparer.Ordinal).ToList();
        if (unknown is not ["LargeBuilder.cs", "LargeGraph.cs"])
        {
            throw new InvalidOperationException(
                $"Analyzer cost: an edge to an unknown node in the graph and in the builder chain should give DFLOW0103 in both files; it did in [{string.Join(", ", unknown)}]. " +
                $"Reported: {string.Join(" | ", broken.Where(d => d.Severity >= DiagnosticSeverity.Warning).Take(5))}");
        }
    }

    [Benchmark(Baseline = true)]
    public ImmutableArray<Diagnostic> Compile_Generators() => Generate(_compilation).GetDiagnostics();

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Compile_GeneratorsAndAnalyzers() => Analyze(_compilation);

    private Task<ImmutableArray<Diagnostic>> Analyze(CSharpCompilation compilation) =>
        Generate(compilation)
            .WithAnalyzers(_analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAllDiagnosticsAsync();

    // A clone carries no bound state over from the last operation: every operation compiles cold.
    private static Compilation Generate(CSharpCompilation compilation)
    {
        CompilerInputs.NewDriver(track: false).RunGeneratorsAndUpdateCompilation(compilation.Clone(), out var output, out _);
        return output;
    }

    private static CSharpCompilation Project(int nodes, bool unknownEdge) => CSharpCompilation.Create(
        "Large",
        [
            CSharpSyntaxTree.ParseText(LargeGraphSource.Graph(nodes, unknownEdge), CompilerInputs.ParseOptions, "LargeGraph.cs"),
            CSharpSyntaxTree.ParseText(LargeGraphSource.Builder(nodes, unknownEdge), CompilerInputs.ParseOptions, "LargeBuilder.cs"),
        ],
        CompilerInputs.References.Value,
        CompilerInputs.CompilationOptions);
}
