using DashFlow.Generators.State;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The <c>[GraphState]</c> generator's output for representative declarations, compared with the golden files in
/// <c>Baselines/&lt;Test&gt;/</c> and compiled with warnings and missing XML docs counted.
/// </summary>
public sealed class StateGeneratorOutputTests
{
    private const string Usings = """
        using System.Collections.Immutable;
        using DashFlow;
        using static DashFlow.Reduce;

        """;

    [Fact]
    public void DemoState() => Verify("""
        namespace DashFlow.Tests.Reference;

        [GraphState]
        public partial record DemoState
        {
            public string Query { get; init; } = "";
            [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
            [Reducer(Sum)] public int Count { get; init; }
        }
        """);

    [Fact]
    public void ClassState() => Verify("""
        namespace Samples;

        [GraphState]
        public sealed partial class TicketState
        {
            public string Title { get; set; } = "";
            public string? Assignee { get; set; }
            [Reducer(Append)] public ImmutableList<string> Comments { get; init; } = [];
            public int Priority { get; private set; }
        }
        """);

    [Fact]
    public void EveryReducer() => Verify("""
        using System;
        using System.Numerics;

        namespace Samples;

        public sealed class LongestString : IReducer<string>
        {
            public static string Reduce(string current, string write) => write.Length > current.Length ? write : current;
        }

        public readonly struct Product : IReducer<long>
        {
            static long IReducer<long>.Reduce(long current, long write) => current * write;
        }

        public enum Stage { Draft, Review, Done }

        [GraphState]
        public partial record Everything
        {
            public string Query { get; init; } = "";
            [Reducer(Replace)] public string? Note { get; init; }
            [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
            [Reducer(Append)] public ImmutableArray<int> Numbers { get; init; } = [];
            [Reducer(Union)] public ImmutableHashSet<string> Tags { get; init; } = [];
            [Reducer(Union)] public ImmutableSortedSet<int> Pages { get; init; } = [];
            [Reducer(Merge)] public ImmutableDictionary<string, int> Scores { get; init; } = ImmutableDictionary<string, int>.Empty;
            [Reducer(Merge)] public ImmutableSortedDictionary<string, string?> Labels { get; init; } = ImmutableSortedDictionary<string, string?>.Empty;
            [Reducer(Sum)] public int Tokens { get; init; }
            [Reducer(Sum)] public decimal Cost { get; init; }
            [Reducer(Sum)] public TimeSpan Elapsed { get; init; }
            [Reducer(Sum)] public BigInteger Huge { get; init; }
            [Reducer(Max)] public double Best { get; init; }
            [Reducer(Max)] public DateTimeOffset Latest { get; init; }
            [Reducer(Max)] public Stage Stage { get; init; }
            [Reducer(Min)] public int Lowest { get; init; } = int.MaxValue;
            [Reducer(typeof(LongestString))] public string Summary { get; init; } = "";
            [Reducer(typeof(Product))] public long Factor { get; init; } = 1;
        }
        """);

    [Fact]
    public void NestedState() => Verify("""
        namespace Samples.Nested;

        public static partial class Workflows
        {
            internal partial struct Holder
            {
                [GraphState]
                internal partial record class Inner
                {
                    public string Query { get; init; } = "";
                    [Reducer(Sum)] public long Steps { get; init; }
                }
            }
        }
        """);

    [Fact]
    public void GlobalNamespace() => Verify("""
        [GraphState]
        public partial record GlobalState
        {
            [Reducer(Max)] public int Highest { get; init; }
        }
        """);

    [Fact]
    public void Versioned() => Verify("""
        namespace Samples;

        [GraphState(Version = 3)]
        public sealed partial record class VersionedState
        {
            public string Query { get; init; } = "";
        }
        """);

    [Fact]
    public void EmptyState() => Verify("""
        namespace Samples;

        [GraphState]
        public partial record EmptyState;
        """);

    [Fact]
    public void ReducersThatDoNotFit() => Verify("""
        namespace Samples;

        public sealed class NotAReducer
        {
        }

        public sealed class WrongType : IReducer<int>
        {
            public static int Reduce(int current, int write) => current + write;
        }

        // Each field's merge fails at run time with the problem; the analyzers report it at compile time.
        [GraphState]
        public partial record Misfits
        {
            [Reducer(Append)] public int Count { get; init; }
            [Reducer(Sum)] public string Text { get; init; } = "";
            [Reducer(Sum)] public int? Maybe { get; init; }
            [Reducer(Union)] public ImmutableList<string> Items { get; init; } = [];
            [Reducer(AddMessages)] public ImmutableList<string> Messages { get; init; } = [];
            [Reducer(typeof(NotAReducer))] public string Plain { get; init; } = "";
            [Reducer(typeof(WrongType))] public string Wrong { get; init; } = "";
        }
        """);

    [Fact]
    public void NamesThatCollide() => Verify("""
        namespace Samples;

        [GraphState]
        public partial record Collisions
        {
            public string Foo { get; init; } = "";
            public bool HasFoo { get; init; }
            [Reducer(Append)] public ImmutableList<string> Bar { get; init; } = [];
            public string BarOverwrite { get; init; } = "";
            public bool Changed { get; init; }
            public int State { get; init; }
            public int I { get; init; }
            public string @event { get; init; } = "";
            public string URLPath { get; init; } = "";
            public (int Line, string File) Position { get; init; }
            public ImmutableList<string?>? Maybe { get; init; }
            public int Var { get; init; }
            public int Global { get; init; }
            [Reducer(Sum)] public int Class { get; init; }
            public int value { get; init; }
            public int Field { get; init; }
            public int update { get; init; }
        }
        """);

    [Fact]
    public void SplitAcrossFiles() => VerifyFiles(
        """
        namespace Samples;

        [GraphState]
        public partial record Split
        {
            public string First { get; init; } = "";
            public string Second { get; init; } = "";
        }
        """,
        """
        namespace Samples;

        public partial record Split
        {
            [Reducer(Sum)] public int Third { get; init; }
        }
        """);

    [Fact]
    public void DerivedState() => Verify("""
        namespace Samples;

        public class Base
        {
            public void Update()
            {
            }
        }

        [GraphState]
        public partial class Derived : Base
        {
            public string Query { get; set; } = "";
        }
        """);

    private static void Verify(string source, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        GeneratorHarness.VerifyGolden(new GraphStateGenerator(), [Usings + source], test);

    private static void VerifyFiles(string first, string second, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        GeneratorHarness.VerifyGolden(new GraphStateGenerator(), [Usings + first, Usings + second], test);
}
