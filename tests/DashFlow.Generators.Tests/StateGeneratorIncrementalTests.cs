using System.Collections;
using System.Reflection;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The <c>[GraphState]</c> pipeline caches: an unrelated edit leaves its output Cached, an equivalent edit of the state's
/// file gives an Unchanged model and a Cached output, and its models hold no symbols, syntax or compilations.
/// </summary>
public sealed class StateGeneratorIncrementalTests
{
    private const string StateFile = """
        using System.Collections.Immutable;
        using DashFlow;
        using static DashFlow.Reduce;

        namespace Samples;

        [GraphState]
        public partial record Research
        {
            public string Query { get; init; } = "";
            [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
        }

        public partial class Holder
        {
            [GraphState(Version = 2)]
            public partial class Nested
            {
                [Reducer(Sum)] public int Count { get; set; }
            }
        }
        """;

    private const string OtherFile = """
        namespace Samples;

        public static class Helpers
        {
            public static int Twice(int value) => value * 2;
        }
        """;

    private static readonly string[] StateSteps = [GeneratorStepNames.GraphStateParse, GeneratorStepNames.GraphStateModel];

    [Fact]
    public void AddingAnUnrelatedFileKeepsTheOutputCached()
    {
        var (driver, compilation) = RunOnce();

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Samples; public sealed class Unrelated { }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertSteps(result, [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged]);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void EditingAMethodBodyInAnotherFileKeepsTheOutputCached()
    {
        var (driver, compilation) = RunOnce();

        var edited = Replace(compilation, 1, "value * 2", "value + value");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertSteps(result, [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged]);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void AnEquivalentEditOfTheStateFileGivesAnUnchangedModelAndACachedOutput()
    {
        var (driver, compilation) = RunOnce();

        var edited = Replace(compilation, 0, "public string Query", "// The question.\n    public   string Query");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertSteps(result, [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged]);
        Assert.Contains(result.TrackedSteps[GeneratorStepNames.GraphStateParse].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Unchanged);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void ARealEditRegeneratesOnlyTheStateItChanges()
    {
        var (driver, compilation) = RunOnce();

        var edited = Replace(compilation, 0, "[Reducer(Sum)] public int Count", "[Reducer(Max)] public int Count");
        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Contains("ReducerKind.Max", run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Samples.Holder.Nested.GraphState.g.cs", StringComparison.Ordinal)).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnAssemblyCodecAddedInAnotherFileChangesTheFormatterOfTheStatesThatUseItsType()
    {
        var compilation = GeneratorHarness.CreateCompilation(
            """
            using DashFlow;

            namespace Samples;

            public sealed record Money(decimal Amount, string Currency);

            [GraphState]
            public partial record Order
            {
                public Money? Total { get; init; }
            }

            [GraphState]
            public partial record Other
            {
                public string Query { get; init; } = "";
            }
            """,
            OtherFile);
        var driver = GeneratorHarness.CreateDriver(new GraphStateGenerator()).RunGenerators(compilation);
        Assert.Contains("FieldFormatters.Object<global::Samples.Money>", driver.GetRunResult().GeneratedTrees[0].ToString(), StringComparison.Ordinal);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            """
            using System;
            using System.Buffers;
            using DashFlow.Persistence;

            [assembly: FieldCodec(typeof(Samples.Money), typeof(Samples.MoneyCodec))]

            namespace Samples;

            public sealed class MoneyCodec : IFieldCodec<Money>
            {
                public static void Write(IBufferWriter<byte> output, Money value) { }
                public static Money Read(ReadOnlySpan<byte> data) => new(0, "");
            }
            """,
            GeneratorHarness.ParseOptions));
        var run = driver.RunGenerators(edited).GetRunResult();

        var outputs = run.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal([IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached], outputs.Order());
        var order = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Samples.Order.GraphState.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("FieldFormatters.Codec<global::Samples.Money, global::Samples.MoneyCodec>()", order, StringComparison.Ordinal);
        Assert.DoesNotContain("FieldFormatters.Object<", order, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var (driver, compilation) = RunOnce();
        var result = driver.RunGenerators(Replace(compilation, 0, "Query", "Question")).GetRunResult().Results.Single();

        var visited = 0;
        foreach (var step in StateSteps.SelectMany(name => result.TrackedSteps[name]))
        {
            foreach (var (value, _) in step.Outputs)
            {
                visited += AssertPure(value, step.Name ?? "?", []);
            }
        }

        Assert.True(visited > 10, "The walk should have reached the models' fields.");
    }

    private static (GeneratorDriver Driver, Compilation Compilation) RunOnce()
    {
        var compilation = GeneratorHarness.CreateCompilation(StateFile, OtherFile);
        var driver = GeneratorHarness.CreateDriver(new GraphStateGenerator()).RunGenerators(compilation);
        var first = driver.GetRunResult();
        Assert.Equal(2, first.GeneratedTrees.Length);
        Assert.All(first.Results, r => Assert.Null(r.Exception));
        return (driver, compilation);
    }

    private static Compilation Replace(Compilation compilation, int tree, string oldText, string newText)
    {
        var old = compilation.SyntaxTrees.ElementAt(tree);
        var text = old.GetText().ToString();
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        var edited = old.WithChangedText(SourceText.From(text.Replace(oldText, newText, StringComparison.Ordinal)));
        return compilation.ReplaceSyntaxTree(old, edited);
    }

    private static void AssertSteps(GeneratorRunResult result, IncrementalStepRunReason[] allowed)
    {
        foreach (var name in StateSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"Step '{name}' is not tracked.");
            foreach (var (_, reason) in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                Assert.True(allowed.Contains(reason), $"Step '{name}' gave {reason}; expected one of {string.Join(", ", allowed)}.");
            }
        }
    }

    private static void AssertOutput(GeneratorRunResult result, IncrementalStepRunReason expected)
    {
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(expected, o.Reason));
    }

    /// <summary>Walks a model's fields and items; fails on anything from the compiler's object model. Returns the values visited.</summary>
    private static int AssertPure(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return 1;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Compilation or Location or AttributeData or SyntaxReference,
            $"{path} holds a {value.GetType().Name}: pipeline models must be plain data, or the pipeline cannot cache.");
        var type = value.GetType();
        Assert.False(
            type.Assembly == typeof(ISymbol).Assembly || type.Assembly == typeof(CSharpCompilation).Assembly,
            $"{path} holds a {type.FullName} from Roslyn: pipeline models must be plain data.");
        if (!type.IsValueType && !seen.Add(value))
        {
            return 0;
        }

        var count = 1;
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                count += AssertPure(item, $"{path}[{i++}]", seen);
            }

            return count;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            count += AssertPure(field.GetValue(value), $"{path}.{field.Name}", seen);
        }

        return count;
    }
}
