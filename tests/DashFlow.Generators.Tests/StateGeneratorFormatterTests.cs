using System.Text.RegularExpressions;
using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.Tests;

/// <summary>
/// Which formatter the generator chooses for a field: built-in and composed formatters, the user's records and classes,
/// codecs (on a property, on the compilation, on a referenced assembly), the contractless fallback only where nothing
/// else stores the type, and the AddMessages reducer from DashFlow.AI.
/// </summary>
public sealed partial class StateGeneratorFormatterTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using DashFlow;
        using DashFlow.Persistence;
        using static DashFlow.Reduce;

        """;

    [Fact]
    public void TheCoveredKindsUseNoFallback()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + StateGeneratorOutputTests.EveryFormatterSource);

        var (result, _) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        Assert.DoesNotContain("Fallback<", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Object<global::Samples.TreeNode>(", text, StringComparison.Ordinal);
        Assert.Empty(GraphStateGenerator.FallbackParts(null, Field(compilation, "Coverage", "Tree").Type, CodecTable.For(compilation)));
    }

    [Fact]
    public void TypesNothingElseStoresFallBackAndSayWhy()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace MessagePack
            {
                public sealed class MessagePackObjectAttribute : Attribute { }
            }

            namespace Samples
            {
                public interface IService { }
                public abstract class Shape { public int Sides { get; set; } }
                public sealed class NoMatch { public NoMatch(int other) { } public int Value { get; set; } }
                [MessagePack.MessagePackObject] public sealed class Contracted { public int Value { get; set; } }

                [GraphState]
                public partial record S
                {
                    public Tuple<int, string>? Position { get; init; }
                    public IService? Service { get; init; }
                    public Shape? Shape { get; init; }
                    public NoMatch? NoMatch { get; init; }
                    public Contracted? Contracted { get; init; }
                    public object? Anything { get; init; }
                    public ImmutableList<Func<int>> Callbacks { get; init; } = [];
                    public string Fine { get; init; } = "";
                }
            }
            """);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        Assert.Equal(
            [
                "global::System.Tuple<int, string>", "global::Samples.IService", "global::Samples.Shape", "global::Samples.NoMatch",
                "global::Samples.Contracted", "object", "global::System.Func<int>",
            ],
            FallbackTypes(text));
        Assert.Equal(
            [
                "Position:Tuple<int, string>?/NotSupported", "Service:IService?/Interface", "Shape:Shape?/Abstract", "NoMatch:NoMatch?/NoConstructor",
                "Contracted:Contracted?/OwnContract", "Anything:object?/NotSupported", "Callbacks:Func<int>/NotSupported",
            ],
            new[] { "Position", "Service", "Shape", "NoMatch", "Contracted", "Anything", "Callbacks", "Fine" }.SelectMany(name =>
                GraphStateGenerator.FallbackParts(null, Field(compilation, "S", name).Type, CodecTable.Empty)
                    .Select(p => $"{name}:{p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}/{p.Kind}")));
    }

    [Fact]
    public void TuplesAndPairsAreComposedAndOnlyTheItemsNothingElseStoresFallBack()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples
            {
                public interface IService { }

                [GraphState]
                public partial record S
                {
                    public (int Id, IService? Service) WithService { get; init; }
                    public KeyValuePair<string, Func<int>> Callback { get; init; }
                    public (int, int, int, int, int, int, int, int) Eight { get; init; }
                    public ImmutableList<KeyValuePair<string, (int, string)>> Fine { get; init; } = [];
                }
            }
            """);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        Assert.Contains(
            "FieldFormatters.ValueTuple(global::DashFlow.Internals.FieldFormatters.Int32, global::DashFlow.Internals.FieldFormatters.Fallback<global::Samples.IService>());",
            text,
            StringComparison.Ordinal);
        Assert.Contains(
            "FieldFormatters.KeyValuePair(global::DashFlow.Internals.FieldFormatters.String, global::DashFlow.Internals.FieldFormatters.Fallback<global::System.Func<int>>());",
            text,
            StringComparison.Ordinal);
        Assert.Equal(["(int, int, int, int, int, int, int, int)", "global::Samples.IService", "global::System.Func<int>"], FallbackTypes(text));
        Assert.Equal(
            [
                "WithService:IService?/Interface", "Callback:Func<int>/NotSupported", "Eight:(int, int, int, int, int, int, int, int)/NotSupported",

                // The rest of a long tuple is a tuple of one, which the contractless resolver stores inside it.
                "Eight:ValueTuple<int>/NotSupported",
            ],
            new[] { "WithService", "Callback", "Eight", "Fine" }.SelectMany(name =>
                GraphStateGenerator.FallbackParts(null, Field(compilation, "S", name).Type, CodecTable.Empty)
                    .Select(p => $"{name}:{p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}/{p.Kind}")));
    }

    [Fact]
    public void ACodecOnAPropertyStoresThatField()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            public sealed class Upper : IFieldCodec<string>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                public static string Read(ReadOnlySpan<byte> data) => "";
            }

            public readonly record struct Celsius(double Degrees);

            public sealed class CelsiusCodec : IFieldCodec<Celsius>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, Celsius value) { }
                public static Celsius Read(ReadOnlySpan<byte> data) => default;
            }

            public sealed record Tagged([property: FieldCodec(typeof(Upper))] string Tag, string Plain);

            [GraphState]
            public partial record S
            {
                [FieldCodec(typeof(Upper))] public string Name { get; init; } = "";
                [FieldCodec(typeof(CelsiusCodec))] public Celsius? Temperature { get; init; }
                public string Plain { get; init; } = "";
                public Tagged? Tagged { get; init; }
            }
            """);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        Assert.Contains("0 => global::DashFlow.Internals.FieldFormatters.Serialize(global::DashFlow.Internals.FieldFormatters.Codec<string, global::Samples.Upper>(), value),", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Nullable(global::DashFlow.Internals.FieldFormatters.Codec<global::Samples.Celsius, global::Samples.CelsiusCodec>())", text, StringComparison.Ordinal);
        Assert.Contains("2 => global::DashFlow.Internals.FieldFormatters.Serialize(global::DashFlow.Internals.FieldFormatters.String, value),", text, StringComparison.Ordinal);
        Assert.Contains("writer.Write(0, value.Tag, global::DashFlow.Internals.FieldFormatters.Codec<string, global::Samples.Upper>());", text, StringComparison.Ordinal);
        Assert.Contains("writer.Write(1, value.Plain, global::DashFlow.Internals.FieldFormatters.String);", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyValuesNothingCanChangeAndNoCodecStoresAreMarkedImmutable()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            public enum Mood { Calm, Busy }

            public sealed record Point(int X, int Y);

            public readonly record struct Celsius(double Degrees);

            public sealed class Upper : IFieldCodec<string>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                public static string Read(ReadOnlySpan<byte> data) => "";
            }

            public sealed class CelsiusCodec : IFieldCodec<Celsius>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, Celsius value) { }
                public static Celsius Read(ReadOnlySpan<byte> data) => default;
            }

            [GraphState]
            public partial record S
            {
                public int Count { get; init; }
                public string Name { get; init; } = "";
                public Mood? Mood { get; init; }
                public DateTimeOffset At { get; init; }
                [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
                [Reducer(Merge)] public ImmutableDictionary<string, ImmutableArray<int>> Scores { get; init; } = ImmutableDictionary<string, ImmutableArray<int>>.Empty;
                public (string Key, long Value) Pair { get; init; }
                public List<string> Mutable { get; init; } = [];
                public int[] Numbers { get; init; } = [];
                public byte[] Raw { get; init; } = [];
                public ReadOnlyMemory<byte> Memory { get; init; }
                public ImmutableArray<byte> Frozen { get; init; } = [];
                public Point? Where { get; init; }
                public ImmutableList<List<int>> Nested { get; init; } = [];
                [FieldCodec(typeof(Upper))] public string Coded { get; init; } = "";
                public ImmutableArray<Celsius> Readings { get; init; } = [];
                public int Settable { get; set; }
            }
            """);

        var model = Parse(compilation, "S").Model!;

        // Settable: an immutable type, but a settable property can change what a state object holds.

        Assert.Equal(
            ["Count", "Name", "Mood", "At", "Log", "Scores", "Pair", "Frozen"],
            model.Fields.Where(f => f.IsImmutable).Select(f => f.Name));

        // A codec registered for a type in the assembly makes every field holding it go through the codec.
        var registered = GeneratorHarness.CreateCompilation(Usings + """
            [assembly: FieldCodec(typeof(Samples.Celsius), typeof(Samples.CelsiusCodec))]
            namespace Samples;

            public readonly record struct Celsius(double Degrees);

            public sealed class CelsiusCodec : IFieldCodec<Celsius>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, Celsius value) { }
                public static Celsius Read(ReadOnlySpan<byte> data) => default;
            }

            [GraphState]
            public partial record S
            {
                public ImmutableArray<Celsius> Readings { get; init; } = [];
                public ImmutableArray<double> Plain { get; init; } = [];
            }
            """);

        Assert.Equal(["Plain"], Parse(registered, "S").Model!.Fields.Where(f => f.IsImmutable).Select(f => f.Name));
    }

    [Fact]
    public void ACodecThatDoesNotFitIsListedAndIgnored()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            public sealed class IntCodec : IFieldCodec<int>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, int value) { }
                public static int Read(ReadOnlySpan<byte> data) => 0;
            }

            [GraphState]
            public partial record S
            {
                [FieldCodec(typeof(IntCodec))] public string Name { get; init; } = "";
            }
            """);

        var parse = Parse(compilation, "S");
        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);

        var problem = Assert.Single(parse.Problems);
        Assert.Equal((StateProblemKind.InvalidFieldCodec, "Name"), (problem.Kind, problem.Member));
        Assert.Contains("'IntCodec'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("IFieldCodec<string>", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Codec<", result.GeneratedTrees.Single().ToString(), StringComparison.Ordinal);
        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
    }

    [Fact]
    public void CodecsThatAreNeverCreatedWorkWhateverTheirConstructorsAndOnlyCodecsTheStateCanNameAreUsed()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            public abstract class AbstractCodec : IFieldCodec<string>
            {
                public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                public static string Read(ReadOnlySpan<byte> data) => "";
            }

            public sealed class NoPublicConstructor : IFieldCodec<string>
            {
                private NoPublicConstructor(int unused) { }
                public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                public static string Read(ReadOnlySpan<byte> data) => "";
            }

            // The record can name its private codec; the formatters generated inside the state cannot.
            public sealed record Tagged([property: FieldCodec(typeof(Tagged.Upper))] string Tag)
            {
                private sealed class Upper : IFieldCodec<string>
                {
                    public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                    public static string Read(ReadOnlySpan<byte> data) => "";
                }
            }

            public abstract record Base
            {
                protected sealed class Inherited : IFieldCodec<string>
                {
                    public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                    public static string Read(ReadOnlySpan<byte> data) => "";
                }
            }

            [GraphState]
            public partial record S : Base
            {
                [FieldCodec(typeof(AbstractCodec))] public string Abstract { get; init; } = "";
                [FieldCodec(typeof(NoPublicConstructor))] public string Hidden { get; init; } = "";
                [FieldCodec(typeof(Own))] public string Private { get; init; } = "";
                [FieldCodec(typeof(Inherited))] public string Protected { get; init; } = "";
                public Tagged? Tagged { get; init; }

                private sealed class Own : IFieldCodec<string>
                {
                    public static void Write(System.Buffers.IBufferWriter<byte> output, string value) { }
                    public static string Read(ReadOnlySpan<byte> data) => "";
                }
            }
            """);

        var parse = Parse(compilation, "S");
        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        Assert.Empty(parse.Problems);
        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        Assert.Contains("FieldFormatters.Codec<string, global::Samples.AbstractCodec>()", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Codec<string, global::Samples.NoPublicConstructor>()", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Codec<string, global::Samples.S.Own>()", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Codec<string, global::Samples.Base.Inherited>()", text, StringComparison.Ordinal);
        Assert.Contains("writer.Write(0, value.Tag, global::DashFlow.Internals.FieldFormatters.String);", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Tagged.Upper", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAssemblyCodecThatIsInternalToAReferencedAssemblyIsNotUsed()
    {
        var library = MoneyLibrary("InternalCodecLibrary", codecAccessibility: "internal");

        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            [GraphState]
            public partial record S
            {
                public Library.Money? Total { get; init; }
            }
            """).AddReferences(library);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        Assert.DoesNotContain("MoneyCodec", text, StringComparison.Ordinal);
        Assert.Contains("FieldFormatters.Object<global::Library.Money>(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAssemblyCodecInAReferencedAssemblyStoresEveryFieldItemAndMemberOfItsType()
    {
        var library = MoneyLibrary("CodecLibrary", codecAccessibility: "public");

        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples;

            public sealed record Invoice(string Number, Library.Money Total);

            [GraphState]
            public partial record S
            {
                public Library.Money? Total { get; init; }
                public ImmutableList<Library.Money> Payments { get; init; } = [];
                public Invoice? Invoice { get; init; }
            }
            """).AddReferences(library);

        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
        const string codec = "global::DashFlow.Internals.FieldFormatters.Codec<global::Library.Money, global::Library.MoneyCodec>()";
        Assert.Contains($"0 => global::DashFlow.Internals.FieldFormatters.Serialize({codec}, value),", text, StringComparison.Ordinal);
        Assert.Contains($"global::DashFlow.Internals.FieldFormatters.List({codec});", text, StringComparison.Ordinal);
        Assert.Contains($"writer.Write(1, value.Total, {codec});", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Fallback<", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMessagesComesFromDashFlowAIWhenItDeclaresOneForTheFieldType()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples
            {
                [GraphState]
                public partial record Chat
                {
                    [Reducer(AddMessages)] public IReadOnlyList<DashFlow.AI.ChatMessage> Messages { get; init; } = [];
                    [Reducer(AddMessages)] public ImmutableList<DashFlow.AI.ChatMessage> History { get; init; } = [];
                    [Reducer(AddMessages)] public ImmutableList<string> Lines { get; init; } = [];
                }
            }

            namespace DashFlow.AI
            {
                /// <summary>Stand-in for the chat message type.</summary>
                public sealed class ChatMessage
                {
                    /// <summary>Text.</summary>
                    public string Text { get; set; } = "";
                }

                /// <summary>Stand-in for DashFlow.AI's reducers.</summary>
                public static class MessageReducers
                {
                    /// <summary>Merges.</summary>
                    public static IReadOnlyList<ChatMessage> AddMessages(IReadOnlyList<ChatMessage> current, IReadOnlyList<ChatMessage> write) => [.. current, .. write];

                    /// <summary>Merges.</summary>
                    public static ImmutableList<ChatMessage> AddMessages(ImmutableList<ChatMessage> current, ImmutableList<ChatMessage> write) => current.AddRange(write);
                }
            }
            """);

        var parse = Parse(compilation, "Chat");
        var (result, output) = GeneratorHarness.Run(new GraphStateGenerator(), compilation);
        var text = result.GeneratedTrees.Single().ToString();

        Assert.Equal(["AddMessagesUnavailable:Lines"], parse.Problems.Select(p => $"{p.Kind}:{p.Member}"));
        Assert.Contains("messages = global::DashFlow.AI.MessageReducers.AddMessages(messages, update._messages);", text, StringComparison.Ordinal);
        Assert.Contains("history = global::DashFlow.AI.MessageReducers.AddMessages(history, update._history);", text, StringComparison.Ordinal);
        GeneratorHarness.AssertCompilesCleanly(output, compilation.SyntaxTrees);
    }

    [Fact]
    public void AMessageReducersTypeThatIsNotPublicAndStaticIsNotUsed()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + """
            namespace Samples
            {
                [GraphState]
                public partial record Chat
                {
                    [Reducer(AddMessages)] public ImmutableList<string> Lines { get; init; } = [];
                }
            }

            namespace DashFlow.AI
            {
                internal static class MessageReducers
                {
                    public static ImmutableList<string> AddMessages(ImmutableList<string> current, ImmutableList<string> write) => current.AddRange(write);
                }
            }
            """);

        Assert.Equal(["AddMessagesUnavailable:Lines"], Parse(compilation, "Chat").Problems.Select(p => $"{p.Kind}:{p.Member}"));
    }

    /// <summary>A referenced assembly that registers a codec for its <c>Money</c> type, the codec being public or internal.</summary>
    private static MetadataReference MoneyLibrary(string assemblyName, string codecAccessibility)
    {
        var library = GeneratorHarness.CreateCompilation($$"""
            using System;
            using System.Buffers;
            using DashFlow.Persistence;

            [assembly: FieldCodec(typeof(Library.Money), typeof(Library.MoneyCodec))]

            namespace Library
            {
                /// <summary>Money.</summary>
                public sealed record Money(decimal Amount, string Currency);

                /// <summary>Its codec.</summary>
                {{codecAccessibility}} sealed class MoneyCodec : IFieldCodec<Money>
                {
                    /// <summary>Writes.</summary>
                    public static void Write(IBufferWriter<byte> output, Money value) { }

                    /// <summary>Reads.</summary>
                    public static Money Read(ReadOnlySpan<byte> data) => new(0, "");
                }
            }
            """).WithAssemblyName(assemblyName);
        using var image = new MemoryStream();
        var emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    private static StateParseResult Parse(Compilation compilation, string state) =>
        GraphStateGenerator.Parse(State(compilation, state), compilation, CancellationToken.None);

    private static INamedTypeSymbol State(Compilation compilation, string name) =>
        compilation.GetSymbolsWithName(name, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();

    private static IPropertySymbol Field(Compilation compilation, string state, string name) =>
        State(compilation, state).GetMembers(name).OfType<IPropertySymbol>().Single();

    /// <summary>The types of the fallback formatters in the generated text, each once, in order.</summary>
    private static List<string> FallbackTypes(string text) =>
        [.. FallbackFormatter().Matches(text).Select(m => m.Groups["type"].Value).Distinct()];

    [GeneratedRegex(@"FieldFormatters\.Fallback<(?<type>.+?)>\(\)")]
    private static partial Regex FallbackFormatter();
}
