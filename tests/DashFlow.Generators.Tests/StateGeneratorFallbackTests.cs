using System.Collections;
using System.Reflection;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.Tests;

/// <summary>
/// Invalid <c>[GraphState]</c> declarations: the generator reports nothing and emits nothing (or, for a reducer that does
/// not fit, a merge that compiles), so the user's code gets no cascade of errors; the parser lists the problem for the
/// analyzers.
/// </summary>
public sealed class StateGeneratorFallbackTests
{
    private const string Usings = """
        using System.Collections.Immutable;
        using DashFlow;
        using static DashFlow.Reduce;

        namespace Samples;

        """;

    public static TheoryData<string, string, string> NothingIsGenerated => new()
    {
        { "NotPartial", """[GraphState] public record S { public string Query { get; init; } = ""; }""", "NotPartial:" },
        { "OuterNotPartial", """public class Outer { [GraphState] public partial record S { public int Count { get; init; } } }""", "ContainingTypeNotPartial:Outer" },
        { "Generic", """[GraphState] public partial record S<T> { public T? Value { get; init; } }""", "Generic:" },
        { "NestedInGeneric", """public partial class Outer<T> { [GraphState] public partial record S { public int Count { get; init; } } }""", "Generic:" },
        { "FileLocal", """[GraphState] file partial record S { public int Count { get; init; } }""", "FileLocal:" },
        { "Positional", """[GraphState] public partial record S(string Query);""", "NotInstantiable:" },
        { "Abstract", """[GraphState] public abstract partial record S { public int Count { get; init; } }""", "NotInstantiable:" },
        { "Static", """[GraphState] public static partial class S { }""", "NotInstantiable:" },
        { "Required", """[GraphState] public partial record S { public required string Query { get; init; } }""", "NotInstantiable:" },
        { "FieldNamedUpdate", """[GraphState] public partial record S { public string Update { get; init; } = ""; }""", "ReservedMemberName:Update" },
        { "MethodNamedSchema", """[GraphState] public partial record S { public static int Schema() => 1; }""", "ReservedMemberName:Schema" },
        { "FieldNamedIsEmpty", """[GraphState] public partial record S { public bool IsEmpty { get; init; } }""", "FieldNameConflict:IsEmpty" },
        {
            "OverwriteNameTaken",
            """[GraphState] public partial record S { [Reducer(Append)] public ImmutableList<string> Log { get; init; } = []; public string OverwriteLog { get; init; } = ""; }""",
            "FieldNameConflict:OverwriteLog"
        },
        { "DynamicField", """[GraphState] public partial record S { public dynamic? Value { get; init; } }""", "UnsupportedFieldType:Value" },
    };

    [Theory]
    [MemberData(nameof(NothingIsGenerated))]
    public void InvalidStatesGenerateNothingAndReportNothing(string name, string declaration, string problem)
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + declaration);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);

        Assert.True(result.GeneratedTrees.IsEmpty, $"{name}: nothing should be generated.");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains(problem, Parse(compilation).Problems);
        Assert.False(Parse(compilation).HasModel);
    }

    [Fact]
    public void ARecordStructIsNotAState()
    {
        // [GraphState] only targets classes; the compiler reports the misuse and the generator stays out of the way.
        var compilation = GeneratorHarness.CreateCompilation(Usings + "[GraphState] public partial record struct S { public int Count { get; init; } }");

        var (result, _) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);

        Assert.True(result.GeneratedTrees.IsEmpty);
    }

    [Fact]
    public void AFieldOfAnUnknownTypeIsLeftOutSoTheRestStillWorks()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            [GraphState]
            public partial record S
            {
                public Missing? Broken { get; init; }
                public string Query { get; init; } = "";
            }

            public static class Use
            {
                public static S.Update Write() => new() { Query = "q" };
            }
            """);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);

        Assert.Single(result.GeneratedTrees);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Equal(["CS0246"], errors.Select(e => e.Id).Distinct());
        Assert.All(errors, e => Assert.Contains("Missing", e.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void ReducersThatDoNotFitAreListedWithTheirFields()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            public sealed class WrongType : IReducer<int>
            {
                public static int Reduce(int current, int write) => current + write;
            }

            public interface IAbstractReducer : IReducer<string>
            {
            }

            [GraphState]
            public partial record S
            {
                [Reducer(Append)] public int Count { get; init; }
                [Reducer(Sum)] public string Text { get; init; } = "";
                [Reducer(Max)] public string? Name { get; init; }
                [Reducer(Merge)] public ImmutableList<string> Items { get; init; } = [];
                [Reducer(AddMessages)] public ImmutableList<string> Messages { get; init; } = [];
                [Reducer(typeof(WrongType))] public string Wrong { get; init; } = "";
                [Reducer(typeof(IAbstractReducer))] public string Abstract { get; init; } = "";
                [Reducer(ReducerKind.Custom)] public string Untyped { get; init; } = "";
                [Reducer(Append)] public ImmutableArray<int> Fine { get; init; } = [];
            }
            """);

        var (hasModel, problems) = Parse(compilation);

        Assert.True(hasModel);
        Assert.Equal(
            [
                "ReducerDoesNotFit:Count", "ReducerDoesNotFit:Text", "ReducerDoesNotFit:Name", "ReducerDoesNotFit:Items",
                "AddMessagesUnavailable:Messages", "InvalidCustomReducer:Wrong", "InvalidCustomReducer:Abstract", "InvalidCustomReducer:Untyped",
            ],
            problems);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        Assert.Single(result.GeneratedTrees);
        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
    }

    [Fact]
    public void AddMessagesIsUsedWhenTheRuntimeOffersIt()
    {
        // A stand-in for the helper DashFlow.AI will bring: the generator calls it as soon as it can bind.
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            [GraphState]
            public partial record Chat
            {
                [Reducer(AddMessages)] public ImmutableList<string> Messages { get; init; } = [];
            }
            """,
            """
            namespace DashFlow.Internals
            {
                /// <summary>Stand-in.</summary>
                public static class StateWrites
                {
                    /// <summary>Stand-in.</summary>
                    public static System.Collections.Immutable.ImmutableList<T> AddMessages<T>(System.Collections.Immutable.ImmutableList<T>? current, System.Collections.Immutable.ImmutableList<T>? write) =>
                        (current ?? []).AddRange(write ?? []);
                }
            }
            """);

        var (hasModel, problems) = Parse(compilation);
        var (result, _) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);

        Assert.True(hasModel);
        Assert.Empty(problems);
        Assert.Contains(
            "messages = global::DashFlow.Internals.StateWrites.AddMessages(messages, update._messages);",
            result.GeneratedTrees.Single().ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDocumentationIsCountedByTheCompileCheck()
    {
        // Guards the compile check itself: an undocumented public member outside the inputs must fail it.
        var compilation = GeneratorHarness.CreateCompilation("namespace Samples;", "namespace Samples; public sealed class Undocumented { }");

        Assert.ThrowsAny<Exception>(() => GeneratorHarness.AssertCompilesCleanly(compilation, [compilation.SyntaxTrees.First()]));
        GeneratorHarness.AssertCompilesCleanly(compilation, compilation.SyntaxTrees);
    }

    /// <summary>Calls the parser the analyzers will reuse, and reads its problems as <c>Kind:Member</c>.</summary>
    private static (bool HasModel, List<string> Problems) Parse(Compilation compilation)
    {
        var type = compilation.GetSymbolsWithName(n => n is "S" or "Chat", SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        var parse = typeof(GraphStateGenerator).GetMethod("Parse", BindingFlags.NonPublic | BindingFlags.Static)!;
        var result = parse.Invoke(null, [type, compilation, CancellationToken.None])!;
        var model = result.GetType().GetProperty("Model")!.GetValue(result);
        var problems = ((IEnumerable)result.GetType().GetProperty("Problems")!.GetValue(result)!)
            .Cast<object>()
            .Select(p => $"{p.GetType().GetProperty("Kind")!.GetValue(p)}:{p.GetType().GetProperty("Member")!.GetValue(p)}")
            .ToList();
        return (model is not null, problems);
    }
}
