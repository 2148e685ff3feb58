using System.Collections.Immutable;
using DashFlow.Generators.Graph;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DashFlow.Benchmarks.Generator;

/// <summary>What the generator and analyzer benchmarks compile with: the options, the references and DashFlow's generators.</summary>
public static class CompilerInputs
{
    /// <summary>The language version the generators' output needs.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    /// <summary>A library with nullable annotations, as a project referencing DashFlow compiles.</summary>
    public static readonly CSharpCompilationOptions CompilationOptions = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>The running framework's assemblies and DashFlow's: what a project referencing DashFlow compiles against.</summary>
    public static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return
        [
            .. paths.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(GraphStateAttribute).Assembly.Location),
        ];
    });

    /// <summary>A new driver with DashFlow's two generators.</summary>
    /// <param name="track">Whether to record each step's run reason (for the caching check).</param>
    public static GeneratorDriver NewDriver(bool track) => CSharpGeneratorDriver.Create(
        [new GraphStateGenerator().AsSourceGenerator(), new GraphGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));
}
