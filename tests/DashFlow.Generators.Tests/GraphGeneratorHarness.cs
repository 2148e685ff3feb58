using System.Runtime.CompilerServices;
using DashFlow.Generators.Graph;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DashFlow.Generators.Tests;

/// <summary>Compiles test sources with the graph generator, the way a user's build does.</summary>
internal static class GraphGeneratorHarness
{
    /// <summary>Latest language, and doc comments checked (CS1591), as in a user's build with documentation on.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"));
        return [.. platform.Select(path => MetadataReference.CreateFromFile(path)), MetadataReference.CreateFromFile(typeof(global::DashFlow.Graph).Assembly.Location)];
    });

    /// <summary>A compilation of <paramref name="sources"/> against the framework and DashFlow, nullable enabled.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) => CSharpCompilation.Create(
        "GraphGeneratorInput",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs")),
        s_references.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver running the graph generator beside the state generator, as in a user's build, with step tracking on.</summary>
    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new GraphGenerator().AsSourceGenerator(), new GraphStateGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The graph generator's part of a run.</summary>
    public static GeneratorRunResult GraphResult(GeneratorDriverRunResult result) =>
        result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(GraphGenerator));

    /// <summary>A <c>[GraphState]</c> record with one summed field, for the state generator to complete.</summary>
    /// <param name="name">The record's name.</param>
    /// <param name="accessibility">Its accessibility.</param>
    public static string GraphState(string name, string accessibility = "public") => $$"""
        [global::DashFlow.GraphState]
        {{accessibility}} partial record {{name}}
        {
            [global::DashFlow.Reducer(global::DashFlow.Reduce.Sum)] public int Tokens { get; init; }
        }
        """;

    /// <summary>Runs the generator over <paramref name="sources"/>.</summary>
    /// <returns>The run's result and the compilation with the generated files added.</returns>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(CreateCompilation(sources), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The files the graph generator added, by hint name.</summary>
    public static IReadOnlyList<GeneratedSourceResult> GraphSources(GeneratorDriverRunResult result) =>
        [.. result.Results.SelectMany(r => r.GeneratedSources).Where(s => s.HintName.EndsWith(".Graph.g.cs", StringComparison.Ordinal)).OrderBy(s => s.HintName, StringComparer.Ordinal)];

    /// <summary>
    /// Every warning and error of <paramref name="output"/>, except missing docs on the test's own hand-written input
    /// (generated files must document every public member, so CS1591 counts there) and what is inside the state
    /// generator's files, which its own tests check.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Problems(Compilation output) =>
        [.. output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && d.Location.SourceTree?.FilePath.StartsWith("Input", StringComparison.Ordinal) == true))
            .Where(d => d.Location.SourceTree?.FilePath.EndsWith(".GraphState.g.cs", StringComparison.Ordinal) != true)];

    /// <summary>
    /// A state type written by hand in the minimal form of the <c>[GraphState]</c> contract: the interface and a nested
    /// <c>Update</c>. Enough for the graph generator's output to compile; it is never run.
    /// </summary>
    /// <param name="name">The record's name.</param>
    /// <param name="accessibility">Its accessibility.</param>
    public static string HandWrittenState(string name, string accessibility = "public") => $$"""
        {{accessibility}} partial record {{name}} : global::DashFlow.IGraphState<{{name}}>
        {
            public int Tokens { get; init; }

            public static global::DashFlow.StateSchema Schema => throw new global::System.NotSupportedException();

            public static {{name}} ApplyWrites({{name}} state, global::System.ReadOnlySpan<global::DashFlow.StateWrite<{{name}}>> writes) => state;

            public static {{name}} CreateDefault() => new();

            public static object? GetField({{name}} state, int field) => null;

            public static global::DashFlow.StateUpdate<{{name}}> Diff({{name}} before, {{name}} after) => new Update();

            public static global::DashFlow.StateUpdate<{{name}}> CreateUpdate() => new Update();

            public sealed class Update : global::DashFlow.StateUpdate<{{name}}>
            {
                public int Tokens { get; init; }

                public override bool IsEmpty => true;

                public override bool TryGetField(int field, out object? value, out bool overwrite)
                {
                    (value, overwrite) = (null, false);
                    return false;
                }

                public override void SetField(int field, object? value, bool overwrite)
                {
                }
            }
        }
        """;

    /// <summary>The folder of this source file, where the baselines live.</summary>
    public static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
