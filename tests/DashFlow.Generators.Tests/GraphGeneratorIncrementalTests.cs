using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The graph pipeline does no work it can skip: an unrelated edit leaves every step cached, an edit that changes nothing
/// the generator reads leaves the model unchanged and the output cached, and a real change regenerates. The models hold
/// no symbols, syntax or compilations, which is what makes that caching possible (and keeps IDE memory flat).
/// </summary>
public sealed class GraphGeneratorIncrementalTests
{
    private const string Graph = """
        using System.Threading;
        using System.Threading.Tasks;
        using DashFlow;

        namespace Incremental;

        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Next))]
            S.Update First(S s) => new() { Tokens = 1 };

            [Node(Defer = true), Retry(MaxAttempts = 2)]
            async Task<S.Update> Second(S s, CancellationToken ct)
            {
                await Task.Delay(0, ct);
                return new();
            }

            [Router(Targets = [nameof(Second), Graph.End])]
            Target Next(S s) => s.Tokens > 0 ? Target.Second : Target.End;
        }

        """;

    private static readonly string s_state = "namespace Incremental;\n" + GraphGeneratorHarness.GraphState("S");

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        var (driver, compilation) = FirstRun();

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Elsewhere; public sealed class Unrelated { }", GraphGeneratorHarness.ParseOptions));
        var result = GraphGeneratorHarness.GraphResult(driver.RunGenerators(edited).GetRunResult());

        AssertReasons(result, GeneratorStepNames.GraphParse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(result, GeneratorStepNames.GraphModel, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputCached(result);
    }

    [Fact]
    public void New_state_field_leaves_the_graph_output_cached()
    {
        var (driver, compilation) = FirstRun();

        // The state's own file changes (the state generator regenerates), but nothing the graph generator reads does.
        var stateTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Input1.cs");
        var text = stateTree.GetText().ToString();
        Assert.Contains("public int Tokens { get; init; }", text, StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(stateTree, stateTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            text.Replace("public int Tokens { get; init; }", "public int Tokens { get; init; }\n    public string Extra { get; init; } = \"\";", StringComparison.Ordinal))));
        var result = GraphGeneratorHarness.GraphResult(driver.RunGenerators(edited).GetRunResult());

        AssertReasons(result, GeneratorStepNames.GraphModel, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputCached(result);
    }

    [Fact]
    public void Equivalent_edit_gives_an_unchanged_model_and_a_cached_output()
    {
        var (driver, compilation) = FirstRun();

        // A node's body, a comment and whitespace change; nothing the generator reads does.
        var edited = Replace(compilation, "new() { Tokens = 1 }", "new()   { Tokens = 1 + 1 } /* more */");
        var result = GraphGeneratorHarness.GraphResult(driver.RunGenerators(edited).GetRunResult());

        AssertReasons(result, GeneratorStepNames.GraphParse, IncrementalStepRunReason.Unchanged);
        AssertReasons(result, GeneratorStepNames.GraphModel, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputCached(result);
    }

    [Fact]
    public void Real_change_regenerates()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "[Node(Defer = true)", "[Node(Defer = false)");
        var result = GraphGeneratorHarness.GraphResult(driver.RunGenerators(edited).GetRunResult());

        AssertReasons(result, GeneratorStepNames.GraphModel, IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.DoesNotContain("Defer = true", result.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_or_compilations()
    {
        var (driver, _) = FirstRun();
        var result = GraphGeneratorHarness.GraphResult(driver.GetRunResult());

        var models = result.TrackedSteps[GeneratorStepNames.GraphModel].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.NotEmpty(models);
        foreach (var model in models)
        {
            AssertPlainData(model.GetType(), [], model.GetType().Name);
        }

        // The model is a value: two parses of the same code are equal, so the pipeline can compare them.
        var again = GraphGeneratorHarness.GraphResult(GraphGeneratorHarness.CreateDriver().RunGenerators(GraphGeneratorHarness.CreateCompilation(Graph, s_state)).GetRunResult());
        Assert.Equal(models.Single(), again.TrackedSteps[GeneratorStepNames.GraphModel].Single().Outputs.Single().Value);
    }

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GraphGeneratorHarness.CreateCompilation(Graph, s_state);
        var driver = GraphGeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = GraphGeneratorHarness.GraphResult(driver.GetRunResult());
        AssertReasons(first, GeneratorStepNames.GraphModel, IncrementalStepRunReason.New);
        Assert.Single(first.GeneratedSources);
        return (driver, compilation);
    }

    private static Compilation Replace(Compilation compilation, string find, string replacement)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Input0.cs");
        var text = tree.GetText().ToString();
        Assert.Contains(find, text, StringComparison.Ordinal);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(find, replacement, StringComparison.Ordinal))));
    }

    private static void AssertReasons(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"Step '{step}' was not tracked.");
        var reasons = runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, allowed));
    }

    private static void AssertOutputCached(GeneratorRunResult result)
    {
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    /// <summary>Walks the model's type: fields, their types, element and type arguments, down to strings, enums and numbers.</summary>
    private static void AssertPlainData(Type type, HashSet<Type> seen, string path)
    {
        if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal))
        {
            return;
        }

        Type[] forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(Compilation), typeof(AttributeData)];
        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}, which ties the model to a compilation.");
        Assert.False(type == typeof(object) || type.IsInterface && !typeof(IEnumerable).IsAssignableFrom(type), $"{path} is typed {type.Name}: anything could hide in it.");

        if (type.IsArray)
        {
            AssertPlainData(type.GetElementType()!, seen, path + "[]");
            return;
        }

        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            AssertPlainData(argument, seen, $"{path}<{argument.Name}>");
        }

        if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            return; // Nullable<T>, IEquatable<T> and the like: their arguments were checked above.
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertPlainData(field.FieldType, seen, $"{path}.{field.Name}");
        }
    }
}
