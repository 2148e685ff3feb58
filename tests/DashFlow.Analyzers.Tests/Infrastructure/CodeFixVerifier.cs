using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace DashFlow.Analyzers.Tests.Infrastructure;

/// <summary>Runs <typeparamref name="TCodeFix"/> on what <typeparamref name="TAnalyzer"/> reports and compares the result.</summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>Checks that fixing the marked diagnostics in <paramref name="source"/> gives <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource) => VerifyAsync([source], [fixedSource]);

    /// <inheritdoc cref="VerifyAsync(string, string)"/>
    public static Task VerifyAsync(string[] sources, string[] fixedSources, params DiagnosticResult[] remaining)
    {
        var test = new Test();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        foreach (var source in fixedSources)
        {
            test.FixedState.Sources.Add(source);
        }

        test.FixedState.ExpectedDiagnostics.AddRange(remaining);
        return test.RunAsync();
    }

    /// <summary>The test, set up as <see cref="TestSetup"/> says.</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestSetup.ReferenceAssemblies;
            TestState.AdditionalReferences.AddRange(TestSetup.References);
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        protected override IEnumerable<Type> GetSourceGenerators() => TestSetup.Generators;

        protected override CompilationOptions CreateCompilationOptions() => TestSetup.WithNullable(base.CreateCompilationOptions());

        protected override ParseOptions CreateParseOptions() => TestSetup.Latest(base.CreateParseOptions());

        protected override bool IsCompilerDiagnosticIncluded(Diagnostic diagnostic, CompilerDiagnostics compilerDiagnostics) =>
            !TestSetup.IsGenerated(diagnostic) && base.IsCompilerDiagnosticIncluded(diagnostic, compilerDiagnostics);
    }
}
