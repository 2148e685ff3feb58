using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace DashFlow.Analyzers.Tests.Infrastructure;

/// <summary>Runs <typeparamref name="TAnalyzer"/> over test sources written with <c>{|DFLOW0101:span|}</c> markup.</summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic of <paramref name="descriptor"/>, for tests that check its message.</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>Checks that the analyzer reports exactly the marked (and <paramref name="expected"/>) diagnostics.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) => VerifyAsync([source], expected);

    /// <inheritdoc cref="VerifyAsync(string, DiagnosticResult[])"/>
    public static Task VerifyAsync(string[] sources, params DiagnosticResult[] expected)
    {
        var test = new Test();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The test, set up as <see cref="TestSetup"/> says.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
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
