using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DashFlow.Generators.Tests;

/// <summary>
/// Runs generators over source text in memory, compares their output with the golden files under <c>Baselines/</c>, and
/// compiles the result the way a user's project would (nullable on, every warning counted, documentation checked).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Set to 1 to rewrite the golden files from the generator's current output (never in CI).</summary>
    public const string UpdateBaselinesVariable = "DASHFLOW_UPDATE_BASELINES";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    /// <summary>A compilation of <paramref name="sources"/> against the .NET runtime and DashFlow.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorInput",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999));

    /// <summary>A driver that records every tracked step, so tests can look at the pipeline's models and its caching.</summary>
    public static GeneratorDriver CreateDriver(params IIncrementalGenerator[] generators) =>
        CSharpGeneratorDriver.Create(
            generators.Select(GeneratorExtensions.AsSourceGenerator),
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <paramref name="generator"/> once over <paramref name="compilation"/>.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(IIncrementalGenerator generator, Compilation compilation)
    {
        var driver = CreateDriver(generator).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Empty(result.Diagnostics);
        return (result, output);
    }

    /// <summary>
    /// Runs the generator over <paramref name="sources"/> and checks its files against <c>Baselines/<paramref name="test"/>/</c>
    /// (the set of hint names and each file's text), then that input and output compile without errors or warnings.
    /// With <see cref="UpdateBaselinesVariable"/>=1 the golden files are rewritten instead.
    /// </summary>
    public static void VerifyGolden(IIncrementalGenerator generator, string[] sources, [CallerMemberName] string test = "")
    {
        var input = CreateCompilation(sources);
        var (result, output) = Run(generator, input);
        var generated = result.Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => s.HintName + ".txt", s => Normalize(s.SourceText.ToString()), StringComparer.Ordinal);

        var folder = Path.Combine(ProjectDirectory(), "Baselines", test);
        if (Environment.GetEnvironmentVariable(UpdateBaselinesVariable) == "1")
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            foreach (var (name, text) in generated)
            {
                File.WriteAllText(Path.Combine(folder, name), text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
        }
        else
        {
            var expectedNames = Directory.Exists(folder)
                ? Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList()
                : [];
            Assert.True(
                expectedNames.SequenceEqual(generated.Keys.OrderBy(n => n, StringComparer.Ordinal)),
                $"Generated files [{string.Join(", ", generated.Keys)}] differ from the golden files in {folder} " +
                $"[{string.Join(", ", expectedNames)}]. If the change is intended, run the tests with {UpdateBaselinesVariable}=1.");
            foreach (var (name, text) in generated)
            {
                var expected = Normalize(File.ReadAllText(Path.Combine(folder, name)));
                Assert.True(expected == text, $"{test}/{name} differs from its golden file (first difference at character " +
                    $"{FirstDifference(expected, text)}). If the change is intended, run the tests with {UpdateBaselinesVariable}=1.\n{text}");
            }
        }

        AssertCompilesCleanly(output, input.SyntaxTrees);
    }

    /// <summary>
    /// Asserts that <paramref name="compilation"/> has no errors and no warnings. Missing XML docs count, except on the
    /// test's own input declarations (<paramref name="undocumented"/>), which stand for user code.
    /// </summary>
    public static void AssertCompilesCleanly(Compilation compilation, IEnumerable<SyntaxTree> undocumented)
    {
        var exempt = undocumented.ToHashSet();
        var problems = compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && d.Location.SourceTree is { } tree && exempt.Contains(tree)))
            .ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    private static string ProjectDirectory([CallerFilePath] string path = "") =>
        Path.GetDirectoryName(path) is { } folder && File.Exists(Path.Combine(folder, "DashFlow.Generators.Tests.csproj"))
            ? folder
            : throw new InvalidOperationException($"The test project's folder was not found next to '{path}'; golden files live there.");

    private static MetadataReference[] LoadReferences()
    {
        // The framework the tests run on, and DashFlow: what a user's project compiles against. The test host's own
        // assemblies (xunit, Roslyn, this project) stay out.
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkFolder, StringComparison.Ordinal));
        return [.. framework.Select(p => MetadataReference.CreateFromFile(p)), MetadataReference.CreateFromFile(typeof(GraphStateAttribute).Assembly.Location)];
    }
}
