using System.Buffers;
using System.Collections;
using System.Numerics;
using System.Text;
using DashFlow.Persistence;
using DashFlow.Sqlite;
using DashFlow.Tests.Reference;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>
/// The generated formatters of <see cref="CoverageState"/>: every kind round-trips, writes what MessagePack's contractless
/// resolver writes where the two should agree and reads what it wrote, codecs run, and a real SQLite file holds it all.
/// </summary>
public sealed class FormatterCoverageTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dashflow-coverage-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>A state with a value in every field that differs from the field's default.</summary>
    private static CoverageState Sample() => new()
    {
        Price = 1234.5678m,
        Elapsed = TimeSpan.FromMilliseconds(90061001),
        When = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(-5.5)),
        Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Grade = 'ß',
        Small = 250,
        Signed = -100,
        Short = -30000,
        UShort = 65000,
        UInt = 4_000_000_000,
        ULong = ulong.MaxValue - 1,
        Day = new DateOnly(1999, 12, 31),
        Time = new TimeOnly(23, 59, 58, 999),
        Link = new Uri("relative/path?q=1", UriKind.Relative),
        Release = new Version(2, 5, 307),
        Huge = BigInteger.Pow(-7, 40),
        Blob = [1, 2, 3, 255],
        Bytes = [9, 8, 7],
        Memory = new byte[] { 4, 5 },
        Priority = Priority.High,
        Access = Access.Read | Access.Write,
        MaybePriority = Priority.Low,
        Sorted = ["b", "a", "c"],
        Ranks = ImmutableSortedDictionary.CreateRange(new Dictionary<string, int> { ["z"] = 26, ["a"] = 1 }),
        Queue = ImmutableQueue.Create(1, 2, 3),
        Stack = ImmutableStack.Create("bottom", "middle", "top"),
        Names = ["ada", "grace"],
        Counts = [3, 1, 2],
        Words = ["lazy", "words"],
        Weights = ImmutableDictionary<string, double>.Empty.Add("w", 0.25),
        Items = ImmutableList.Create(5, 6),
        Labels = ImmutableHashSet.Create("x", "y"),
        Numbers = [1, -1],
        Address = new Address("Main St", 12345),
        Customer = new Customer { Name = "Ada", Home = new Address("Home", 1), Others = [new Address("Work", 2)], Nickname = "countess" },
        Tree = new TreeNode("root", [new TreeNode("left", []), new TreeNode("right", [new TreeNode("leaf", [])])]),
        Point = new Point(3, -4),
        MaybePoint = new Point(1, 1),
        Counter = new Counter { Value = 42, Tag = "answer" },
        Ticket = new Ticket { Title = "Bug", Votes = 7 },
        Reading = new Reading("s1") { Value = 21.5, Unit = "K" },
        Addresses = [new Address("A", 1), new Address("B", 2)],
        ByName = ImmutableDictionary<string, Address>.Empty.Add("c", new Address("C", 3)),
        Total = new Money(12.50m, "EUR"),
        Payments = [new Money(1m, "USD"), new Money(2.25m, "GBP")],
        Shout = "hello",
    };

    // The fields stored by a codec: the contractless resolver does not write what the generated formatters write for them.
    private static readonly HashSet<string> s_differFromContractless = ["Total", "Payments", "Shout"];

    public static TheoryData<string> Fields() => GeneratedFields<CoverageState>.Names();

    [Theory]
    [MemberData(nameof(Fields))]
    public void Every_field_round_trips_through_its_generated_formatter(string name)
    {
        var (index, value) = FieldOf(Sample(), name);

        var bytes = Serialize(index, value);
        var back = Deserialize(index, bytes);

        AssertSame(value, back, name);
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Defaults_and_nulls_round_trip(string name)
    {
        var (index, value) = FieldOf(new CoverageState(), name);

        AssertSame(value, Deserialize(index, Serialize(index, value)), name);
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void The_contractless_resolver_and_the_generated_formatters_read_each_other(string name)
    {
        if (s_differFromContractless.Contains(name))
        {
            return;
        }

        var (index, value) = FieldOf(Sample(), name);
        var type = CoverageState.Schema.Fields[index].Type;

        var generated = Serialize(index, value);
        var contractless = Contractless.Serialize(value, type);

        AssertSame(value, Contractless.Deserialize(generated, type), name + " (generated, read by the contractless resolver)");
        AssertSame(value, Deserialize(index, contractless), name + " (contractless, read by the generated formatter)");
    }

    [Fact]
    public void Scalars_and_collections_are_written_byte_for_byte_as_the_contractless_resolver_writes_them()
    {
        string[] exact =
        [
            "Price", "Elapsed", "When", "Id", "Grade", "Small", "Signed", "Short", "UShort", "UInt", "ULong", "Day", "Time", "Link",
            "Release", "Huge", "Blob", "Bytes", "Memory", "Priority", "Access", "MaybePriority", "Sorted", "Ranks", "Queue", "Stack", "Names",
            "Counts", "Words", "Weights", "Items", "Labels", "Numbers", "Address", "Point", "Addresses",
        ];
        var sample = Sample();
        foreach (var name in exact)
        {
            var (index, value) = FieldOf(sample, name);
            Assert.True(
                Contractless.Serialize(value, CoverageState.Schema.Fields[index].Type).AsSpan().SequenceEqual(Serialize(index, value)),
                $"{name}: the generated bytes differ from the contractless resolver's.");
        }
    }

    [Fact]
    public void An_immutable_byte_array_is_binary_and_still_reads_the_array_of_numbers_stored_before()
    {
        var (index, _) = FieldOf(Sample(), "Bytes");
        ImmutableArray<byte> bytes = [9, 8, 7];

        var written = Serialize(index, bytes);

        // How the field was stored before it was binary: an array of numbers.
        var before = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(before);
        writer.WriteArrayHeader(3);
        writer.Write(9);
        writer.Write(8);
        writer.Write(7);
        writer.Flush();

        Assert.Equal(MessagePackType.Binary, new MessagePackReader(written).NextMessagePackType);
        Assert.Equal([9, 8, 7], ((ImmutableArray<byte>)Deserialize(index, before.WrittenSpan.ToArray())!).ToArray());
        Assert.Equal([9, 8, 7], ((ImmutableArray<byte>)Deserialize(index, written)!).ToArray());
    }

    [Fact]
    public void Codecs_store_their_own_bytes_for_an_assembly_registration_inside_collections_and_on_a_property()
    {
        var sample = Sample();

        var total = Serialize(FieldOf(sample, "Total").Index, sample.Total);
        var shout = Serialize(FieldOf(sample, "Shout").Index, sample.Shout);
        var payments = Serialize(FieldOf(sample, "Payments").Index, sample.Payments);

        Assert.Equal("12.50 EUR", Encoding.UTF8.GetString(ReadBinary(total)));
        Assert.Equal("olleh", Encoding.UTF8.GetString(ReadBinary(shout)));
        var reader = new MessagePackReader(payments);
        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal("1 USD", Encoding.UTF8.GetString(reader.ReadBytes()!.Value.ToArray()));
    }

    [Fact]
    public void A_record_reading_an_older_checkpoint_skips_unknown_members_and_keeps_the_defaults_of_missing_ones()
    {
        var index = FieldOf(Sample(), "Customer").Index;

        // A Customer as some other version stored it: "Name" and a member this version does not have.
        var stored = Contractless.Serialize(new Dictionary<string, object?> { ["Retired"] = new[] { 1, 2 }, ["Name"] = "Grace" }, typeof(Dictionary<string, object?>));
        var customer = (Customer)Deserialize(index, stored)!;

        Assert.Equal("Grace", customer.Name);
        Assert.Equal("none", customer.Nickname);
        Assert.Empty(customer.Others);
        Assert.Null(customer.Home);
    }

    [Fact]
    public void A_value_that_is_not_a_map_of_members_is_an_error_naming_the_type()
    {
        var index = FieldOf(Sample(), "Address").Index;

        var error = Assert.Throws<InvalidDataException>(() => Deserialize(index, Contractless.Serialize(42, typeof(int))));

        Assert.Contains("Address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_field_survives_a_run_and_a_new_process_reading_the_sqlite_file()
    {
        var sample = Sample();
        var update = new CoverageState.Update();
        foreach (var field in CoverageState.Schema.Fields)
        {
            update.SetField(FieldOf(sample, field.Name).Index, FieldOf(sample, field.Name).Value, overwrite: false);
        }

        var config = new RunConfig { ThreadId = "coverage" };
        var first = new StateGraph<CoverageState>()
            .AddNode("fill", _ => update)
            .AddEdge(Graph.Start, "fill")
            .Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        await first.InvokeAsync(new CoverageState(), config);
        SqliteConnection.ClearAllPools();

        // A second graph over a new checkpointer on the same file reads every field back through the formatters.
        var second = new StateGraph<CoverageState>()
            .AddNode("fill", _ => null)
            .AddEdge(Graph.Start, "fill")
            .Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        var snapshot = await second.GetStateAsync(config);

        foreach (var field in CoverageState.Schema.Fields)
        {
            AssertSame(FieldOf(sample, field.Name).Value, FieldOf(snapshot.Values, field.Name).Value, field.Name);
        }
    }

#pragma warning disable IL2026, IL3050 // The comparison uses the reflection-based serializer on purpose.
    private static MessagePackContractlessSerializer Contractless => MessagePackContractlessSerializer.Instance;
#pragma warning restore IL2026, IL3050

    private static (int Index, object? Value) FieldOf(CoverageState state, string name) => GeneratedFields<CoverageState>.Of(state, name);

    private static byte[] Serialize(int index, object? value) => GeneratedFields<CoverageState>.Serialize(index, value);

    private static object? Deserialize(int index, byte[] data) => GeneratedFields<CoverageState>.Deserialize(index, data);

    private static byte[] ReadBinary(byte[] data) => new MessagePackReader(data).ReadBytes()!.Value.ToArray();

    /// <summary>Compares two field values by content: sequences item by item (in order), classes member by member.</summary>
    private static void AssertSame(object? expected, object? actual, string what)
    {
        Assert.True(Normalize(expected) == Normalize(actual), $"{what}: expected {Normalize(expected)}, got {Normalize(actual)}.");
    }

    private static string Normalize(object? value) => value switch
    {
        null => "null",
        string text => '"' + text + '"',
        ReadOnlyMemory<byte> memory => Normalize(memory.ToArray()),
        ImmutableArray<byte> { IsDefault: true } => "default",
        DateTimeOffset time => "DateTimeOffset:" + time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        TimeSpan span => "TimeSpan:" + span.Ticks,
        TimeOnly time => "TimeOnly:" + time.Ticks,
        IDictionary dictionary => "{" + string.Join(", ", dictionary.Keys.Cast<object>().Select(k => Normalize(k) + ": " + Normalize(dictionary[k])).Order(StringComparer.Ordinal)) + "}",
        IEnumerable items when IsDictionary(value) => "{" + string.Join(", ", items.Cast<object>().Select(Normalize).Order(StringComparer.Ordinal)) + "}",
        IEnumerable items when IsSet(value) => "{" + string.Join(", ", items.Cast<object>().Select(Normalize).Order(StringComparer.Ordinal)) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object>().Select(Normalize)) + "]",
        Customer c => $"Customer({Normalize(c.Name)}, {Normalize(c.Home)}, {Normalize(c.Others)}, {Normalize(c.Nickname)})",
        Counter c => $"Counter({c.Value}, {Normalize(c.Tag)})",
        Ticket t => $"Ticket({Normalize(t.Title)}, {t.Votes})",
        TreeNode n => $"TreeNode({Normalize(n.Label)}, {Normalize(n.Children)})",
        Reading r => $"Reading({Normalize(r.Sensor)}, {r.Value}, {Normalize(r.Unit)})",
        IFormattable formattable => value.GetType().Name + ":" + formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.GetType().Name + ":" + value,
    };

    private static bool IsDictionary(object value) =>
        value.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));

    private static bool IsSet(object value) =>
        value.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>));
}
