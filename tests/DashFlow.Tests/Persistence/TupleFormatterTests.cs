using System.Collections;
using System.Runtime.CompilerServices;
using DashFlow.Persistence;
using DashFlow.Sqlite;
using DashFlow.Tests.Reference;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>A record whose members are a tuple and a pair: stored by its generated formatter, not the fallback.</summary>
public sealed record MarkedRange((int Line, int Column) Start, KeyValuePair<string, int> Tag);

/// <summary>Value tuples of every supported size and key/value pairs, alone, nullable, in collections and in a record.</summary>
[GraphState]
public partial record TupleFieldsState
{
    public (int Line, string File) Position { get; init; }

    public (string, int, bool) Three { get; init; }

    public (long, char, Guid, double) Four { get; init; }

    public (int, int, int, int, string) Five { get; init; }

    public (byte, short, ushort, uint, ulong, decimal) Six { get; init; }

    public (string, int, bool, double, long, char, Guid) Seven { get; init; }

    public (int Count, Address Where)? MaybePair { get; init; }

    public KeyValuePair<string, int> Entry { get; init; }

    public KeyValuePair<int, ImmutableList<string>> Grouped { get; init; }

    public ImmutableList<(string Name, double Score)> Scores { get; init; } = [];

    public ImmutableDictionary<string, KeyValuePair<int, string>> Linked { get; init; } = ImmutableDictionary<string, KeyValuePair<int, string>>.Empty;

    public ImmutableArray<KeyValuePair<string, (int, int)>> Nested { get; init; } = [];

    public MarkedRange? Range { get; init; }
}

/// <summary>
/// The generated formatters of value tuples and key/value pairs write exactly what MessagePack's contractless resolver
/// writes (an array of the items), so that either reads the other's bytes, and they survive a real SQLite file.
/// </summary>
public sealed class TupleFormatterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dashflow-tuples-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static TupleFieldsState Sample() => new()
    {
        Position = (42, "Program.cs"),
        Three = ("three", -3, true),
        Four = (long.MinValue, 'ß', Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), 0.125),
        Five = (1, 2, 3, 4, "five"),
        Six = (255, -300, 65000, 4_000_000_000, ulong.MaxValue, 12.75m),
        Seven = ("seven", 7, false, -7.5, 7L << 40, 'z', Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff")),
        MaybePair = (2, new Address("Main St", 12345)),
        Entry = new("answer", 42),
        Grouped = new(7, ["a", "b"]),
        Scores = [("ada", 0.5), ("grace", 1.5)],
        Linked = ImmutableDictionary<string, KeyValuePair<int, string>>.Empty.Add("k", new(1, "one")),
        Nested = [new("n", (1, 2)), new("m", (3, 4))],
        Range = new MarkedRange((10, 4), new("kind", 3)),
    };

    public static TheoryData<string> Fields() => GeneratedFields<TupleFieldsState>.Names();

    [Theory]
    [MemberData(nameof(Fields))]
    public void Every_field_round_trips_and_is_written_byte_for_byte_as_the_contractless_resolver_writes_it(string name)
    {
        var (index, value) = FieldOf(Sample(), name);
        var type = TupleFieldsState.Schema.Fields[index].Type;

        var generated = Serialize(index, value);
        var contractless = Contractless.Serialize(value, type);

        Assert.Equal(Normalize(value), Normalize(Deserialize(index, generated)));
        Assert.Equal(Convert.ToHexString(contractless), Convert.ToHexString(generated));
        Assert.Equal(Normalize(value), Normalize(Contractless.Deserialize(generated, type)));
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Defaults_and_nulls_round_trip_and_match_the_contractless_resolver(string name)
    {
        var (index, value) = FieldOf(new TupleFieldsState(), name);
        var type = TupleFieldsState.Schema.Fields[index].Type;

        var generated = Serialize(index, value);

        Assert.Equal(Normalize(value), Normalize(Deserialize(index, generated)));
        Assert.Equal(Convert.ToHexString(Contractless.Serialize(value, type)), Convert.ToHexString(generated));
    }

    [Fact]
    public void A_tuple_is_an_array_of_its_items_and_a_pair_an_array_of_key_and_value()
    {
        var sample = Sample();

        var position = new MessagePackReader(Serialize(FieldOf(sample, "Position").Index, sample.Position));
        var entry = new MessagePackReader(Serialize(FieldOf(sample, "Entry").Index, sample.Entry));

        Assert.Equal(2, position.ReadArrayHeader());
        Assert.Equal(42, position.ReadInt32());
        Assert.Equal("Program.cs", position.ReadString());
        Assert.Equal(2, entry.ReadArrayHeader());
        Assert.Equal("answer", entry.ReadString());
        Assert.Equal(42, entry.ReadInt32());
    }

    [Fact]
    public void A_stored_tuple_with_the_wrong_number_of_items_is_an_error_naming_the_type_and_the_counts()
    {
        var index = FieldOf(Sample(), "Position").Index;
        var three = Contractless.Serialize((1, "a", true), typeof((int, string, bool)));

        var error = Assert.Throws<InvalidDataException>(() => Deserialize(index, three));

        Assert.Contains("ValueTuple<Int32, String>", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 items", error.Message, StringComparison.Ordinal);
        Assert.Contains("2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_nil_or_scalar_where_a_pair_belongs_is_an_error_naming_the_type()
    {
        var index = FieldOf(Sample(), "Entry").Index;

        var nil = Assert.Throws<InvalidDataException>(() => Deserialize(index, [0xc0]));
        var number = Assert.Throws<InvalidDataException>(() => Deserialize(index, [0x2a]));

        Assert.Contains("KeyValuePair<String, Int32>", nil.Message, StringComparison.Ordinal);
        Assert.Contains("Nil", nil.Message, StringComparison.Ordinal);
        Assert.Contains("KeyValuePair<String, Int32>", number.Message, StringComparison.Ordinal);
        Assert.Contains("Integer", number.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_field_survives_a_run_and_a_new_graph_reading_the_sqlite_file()
    {
        var sample = Sample();
        var update = new TupleFieldsState.Update();
        foreach (var field in TupleFieldsState.Schema.Fields)
        {
            var (index, value) = FieldOf(sample, field.Name);
            update.SetField(index, value, overwrite: false);
        }

        var config = new RunConfig { ThreadId = "tuples" };
        var first = new StateGraph<TupleFieldsState>()
            .AddNode("fill", _ => update)
            .AddEdge(Graph.Start, "fill")
            .Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        await first.InvokeAsync(new TupleFieldsState(), config);
        SqliteConnection.ClearAllPools();

        var second = new StateGraph<TupleFieldsState>()
            .AddNode("fill", _ => null)
            .AddEdge(Graph.Start, "fill")
            .Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        var snapshot = await second.GetStateAsync(config);

        foreach (var field in TupleFieldsState.Schema.Fields)
        {
            Assert.Equal(Normalize(FieldOf(sample, field.Name).Value), Normalize(FieldOf(snapshot.Values, field.Name).Value));
        }
    }

#pragma warning disable IL2026, IL3050 // The comparison uses the reflection-based serializer on purpose.
    private static MessagePackContractlessSerializer Contractless => MessagePackContractlessSerializer.Instance;
#pragma warning restore IL2026, IL3050

    private static (int Index, object? Value) FieldOf(TupleFieldsState state, string name) => GeneratedFields<TupleFieldsState>.Of(state, name);

    private static byte[] Serialize(int index, object? value) => GeneratedFields<TupleFieldsState>.Serialize(index, value);

    private static object? Deserialize(int index, byte[] data) => GeneratedFields<TupleFieldsState>.Deserialize(index, data);

    /// <summary>A value as text, with collections item by item and dictionaries in key order, so that equal content compares equal.</summary>
    private static string Normalize(object? value) => value switch
    {
        null => "null",
        string text => '"' + text + '"',
        IDictionary dictionary => "{" + string.Join(", ", dictionary.Keys.Cast<object>().Select(k => Normalize(k) + ": " + Normalize(dictionary[k])).Order(StringComparer.Ordinal)) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object>().Select(Normalize)) + "]",
        ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Normalize(tuple[i]))) + ")",
        MarkedRange range => $"MarkedRange({Normalize(range.Start)}, {Normalize(range.Tag)})",
        _ when value.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) =>
            $"[{Normalize(type.GetProperty("Key")!.GetValue(value))}, {Normalize(type.GetProperty("Value")!.GetValue(value))}]",
        IFormattable formattable => value.GetType().Name + ":" + formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.GetType().Name + ":" + value,
    };
}
