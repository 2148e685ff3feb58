using DashFlow.Generators.Graph;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace DashFlow.Analyzers.Tests.Infrastructure;

/// <summary>
/// What every analyzer and code-fix test shares: the compilation a user's project has (the running framework and the
/// DashFlow runtime, latest C#, nullable on) and the two generators running beside the analyzers, as in a real build,
/// so that <c>State.Update</c> and <c>Target</c> exist. No package is downloaded.
/// </summary>
internal static class TestSetup
{
    /// <summary>Usings every test source starts with.</summary>
    public const string Usings = """
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Threading;
        using System.Threading.Tasks;
        using DashFlow;
        using static DashFlow.Reduce;

        """;

    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
    {
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkFolder, StringComparison.Ordinal));
        return [.. framework.Select(p => MetadataReference.CreateFromFile(p)), MetadataReference.CreateFromFile(typeof(global::DashFlow.Graph).Assembly.Location)];
    });

    /// <summary>No reference package: the references are the ones of the running framework.</summary>
    public static ReferenceAssemblies ReferenceAssemblies { get; } = new("net10.0");

    /// <summary>The framework and DashFlow.</summary>
    public static IEnumerable<MetadataReference> References => s_references.Value;

    /// <summary>The generators, run before the analyzers.</summary>
    public static IEnumerable<Type> Generators { get; } = [typeof(GraphStateGenerator), typeof(GraphGenerator)];

    public static CompilationOptions WithNullable(CompilationOptions options) =>
        ((CSharpCompilationOptions)options).WithNullableContextOptions(NullableContextOptions.Enable);

    /// <summary>
    /// Whether a compiler diagnostic is in the generators' output. The generators' own tests hold that output to
    /// compiling cleanly; here only the test's sources and the analyzers' diagnostics count.
    /// </summary>
    public static bool IsGenerated(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree?.FilePath.StartsWith("DashFlow.Generators", StringComparison.Ordinal) == true;

    public static ParseOptions Latest(ParseOptions options) => ((CSharpParseOptions)options).WithLanguageVersion(LanguageVersion.Latest);
}
