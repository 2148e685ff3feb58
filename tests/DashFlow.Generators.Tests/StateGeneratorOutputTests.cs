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

    [Fact]
    public void EveryFormatter() => Verify(EveryFormatterSource);

    /// <summary>A field of every kind the formatters store without reflection, the user's own types among them.</summary>
    internal const string EveryFormatterSource = """
        using System;
        using System.Buffers;
        using System.Collections.Generic;
        using System.Numerics;
        using DashFlow.Persistence;

        [assembly: FieldCodec(typeof(Samples.Money), typeof(Samples.MoneyCodec))]

        namespace Samples;

        public enum Priority : byte { Low, High }

        public sealed record Address(string Street, int Zip);

        public sealed class Customer
        {
            public string Name { get; set; } = "";
            public Address? Home { get; set; }
            public ImmutableList<Address> Others { get; init; } = [];
            public int OtherCount => Others.Count;
        }

        public sealed record TreeNode(string Label, ImmutableList<TreeNode> Children);

        public readonly record struct Point(int X, int Y);

        public sealed class Counter
        {
            public int Value;
            public string Tag = "";
        }

        public sealed class Ticket
        {
            public required string Title { get; init; }
            public int Votes { get; set; }
        }

        public readonly record struct Money(decimal Amount, string Currency);

        public sealed record Range((int Line, int Column) Start, KeyValuePair<string, int> Tag);

        public sealed class MoneyCodec : IFieldCodec<Money>
        {
            public static void Write(IBufferWriter<byte> output, Money value) { }
            public static Money Read(ReadOnlySpan<byte> data) => default;
        }

        public sealed class ReversedCodec : IFieldCodec<string>
        {
            public static void Write(IBufferWriter<byte> output, string value) { }
            public static string Read(ReadOnlySpan<byte> data) => "";
        }

        [GraphState]
        public partial record Coverage
        {
            public decimal Price { get; init; }
            public TimeSpan Elapsed { get; init; }
            public DateTimeOffset When { get; init; }
            public Guid Id { get; init; }
            public char Grade { get; init; }
            public byte Small { get; init; }
            public sbyte Signed { get; init; }
            public short Short { get; init; }
            public ushort UShort { get; init; }
            public uint UInt { get; init; }
            public ulong ULong { get; init; }
            public DateOnly Day { get; init; }
            public TimeOnly Time { get; init; }
            public Uri? Link { get; init; }
            public Version? Release { get; init; }
            public BigInteger Huge { get; init; }
            public byte[]? Blob { get; init; }
            public ImmutableArray<byte> Bytes { get; init; } = [];
            public ReadOnlyMemory<byte> Memory { get; init; }
            public Priority Priority { get; init; }
            public Priority? MaybePriority { get; init; }
            public ImmutableSortedSet<string> Sorted { get; init; } = [];
            public ImmutableSortedDictionary<string, int> Ranks { get; init; } = ImmutableSortedDictionary<string, int>.Empty;
            public ImmutableQueue<int> Queue { get; init; } = [];
            public ImmutableStack<string> Stack { get; init; } = [];
            public IReadOnlyList<string> Names { get; init; } = [];
            public IReadOnlyCollection<int> Counts { get; init; } = [];
            public IEnumerable<string>? Words { get; init; }
            public IReadOnlyDictionary<string, double> Weights { get; init; } = ImmutableDictionary<string, double>.Empty;
            public IImmutableList<int> Items { get; init; } = ImmutableList<int>.Empty;
            public IReadOnlySet<string> Labels { get; init; } = ImmutableHashSet<string>.Empty;
            public int[] Numbers { get; init; } = [];
            public Address Address { get; init; } = new("", 0);
            public Customer? Customer { get; init; }
            public TreeNode? Tree { get; init; }
            public Point? MaybePoint { get; init; }
            public Counter Counter { get; init; } = new();
            public Ticket? Ticket { get; init; }
            public ImmutableDictionary<string, Address> ByName { get; init; } = ImmutableDictionary<string, Address>.Empty;
            public ImmutableList<Money> Payments { get; init; } = [];
            [FieldCodec(typeof(ReversedCodec))] public string Shout { get; init; } = "";
            public (int Line, string File) Position { get; init; }
            public (string, int, bool, double, long, char, Guid) Seven { get; init; }
            public (int, Address)? MaybePair { get; init; }
            public KeyValuePair<string, int> Entry { get; init; }
            public ImmutableList<(string Name, Point At)> Marks { get; init; } = [];
            public ImmutableDictionary<string, KeyValuePair<int, Address>> Linked { get; init; } = ImmutableDictionary<string, KeyValuePair<int, Address>>.Empty;
            public Range? Range { get; init; }
        }
        """;

    private static void Verify(string source, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        GeneratorHarness.VerifyGolden(new GraphStateGenerator(), [Usings + source], test);

    private static void VerifyFiles(string first, string second, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        GeneratorHarness.VerifyGolden(new GraphStateGenerator(), [Usings + first, Usings + second], test);
}
