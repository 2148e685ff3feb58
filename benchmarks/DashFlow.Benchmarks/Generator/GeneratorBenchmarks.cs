using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DashFlow.Benchmarks.Generator;

/// <summary>
/// The generators on a 200-node graph (<see cref="LargeGraphSource"/>), through
/// <c>CSharpGeneratorDriver.RunGeneratorsAndUpdateCompilation</c>:
/// <list type="bullet">
/// <item><c>Generator_Cold</c>: a new driver on a fresh compilation (a build, or the IDE opening the project).</item>
/// <item><c>Generator_Cached</c>: the driver that has already run, on the compilation after an edit to an unrelated
/// file (the IDE after a keystroke elsewhere): every generator step must come from the cache.</item>
/// </list>
/// Each operation clones its compilation so that no bound symbols carry over from the last operation.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var unrelated = CSharpSyntaxTree.ParseText(LargeGraphSource.Unrelated(1), CompilerInputs.ParseOptions, "Unrelated.cs");
        _compilation = CSharpCompilation.Create(
            "Large",
            [CSharpSyntaxTree.ParseText(LargeGraphSource.Graph(), CompilerInputs.ParseOptions, "LargeGraph.cs"), unrelated],
            CompilerInputs.References.Value,
            CompilerInputs.CompilationOptions);
        _edited = _compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText(LargeGraphSource.Unrelated(2), CompilerInputs.ParseOptions, "Unrelated.cs"));
        _warm = NewDriver(track: false).RunGenerators(_compilation.Clone());
        Validate();
    }

    /// <summary>
    /// The cold run generates the state and graph code and the result compiles without errors; in the run after the
    /// unrelated edit, every step the generators name (<c>DashFlow.*</c>) and every output comes from the cache. (Roslyn's
    /// own input steps, such as <c>Compilation</c>, are new after any edit.)
    /// </summary>
    public void Validate()
    {
        var generated = Generator_Cold();
        var result = NewDriver(track: false).RunGenerators(_compilation.Clone()).GetRunResult();
        if (result.GeneratedTrees.Length < 2)
        {
            throw new InvalidOperationException($"Generator benchmark: the generators produced {result.GeneratedTrees.Length} files for the 200-node graph; expected the state's and the graph's.");
        }

        var errors = generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(5).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Generator benchmark: the generated code does not compile: " + string.Join(" | ", errors));
        }

        var cached = NewDriver(track: true).RunGenerators(_compilation.Clone()).RunGenerators(_edited.Clone()).GetRunResult();
        if (!cached.Results.Any(r => r.TrackedSteps.Keys.Any(k => k.StartsWith("DashFlow.", StringComparison.Ordinal))))
        {
            throw new InvalidOperationException("Generator benchmark: the generators report no named (DashFlow.*) steps, so caching cannot be checked.");
        }

        var recomputed = cached.Results
            .SelectMany(r => r.TrackedOutputSteps.Concat(r.TrackedSteps.Where(s => s.Key.StartsWith("DashFlow.", StringComparison.Ordinal))))
            .SelectMany(step => step.Value.SelectMany(run => run.Outputs.Select(output => (step.Key, output.Reason))))
            .Where(s => s.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
            .Select(s => $"{s.Key}: {s.Reason}")
            .Distinct()
            .ToList();
        if (recomputed.Count > 0)
        {
            throw new InvalidOperationException("Generator benchmark: after an unrelated edit these steps were not cached: " + string.Join(", ", recomputed));
        }
    }

    [Benchmark(Baseline = true)]
    public Compilation Generator_Cold()
    {
        NewDriver(track: false).RunGeneratorsAndUpdateCompilation(_compilation.Clone(), out var output, out _);
        return output;
    }

    [Benchmark]
    public Compilation Generator_Cached()
    {
        _warm.RunGeneratorsAndUpdateCompilation(_edited.Clone(), out var output, out _);
        return output;
    }

    private static GeneratorDriver NewDriver(bool track) => CompilerInputs.NewDriver(track);
}
