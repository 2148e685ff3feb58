using System.Buffers;
using System.Numerics;
using System.Text;
using DashFlow.Persistence;
using DashFlow.Tests.Reference;

[assembly: FieldCodec(typeof(Money), typeof(MoneyCodec))]

namespace DashFlow.Tests.Reference;

/// <summary>An enum on a byte.</summary>
public enum Priority : byte
{
    Low = 1,
    High = 200,
}

/// <summary>Flags on a long, with a bit above 32.</summary>
[Flags]
public enum Access : long
{
    None = 0,
    Read = 1,
    Write = 1L << 40,
}

/// <summary>A positional record: created through its primary constructor.</summary>
public sealed record Address(string Street, int Zip);

/// <summary>A class with settable and init-only properties and initializers: created through an object initializer.</summary>
public sealed class Customer
{
    public string Name { get; set; } = "";

    public Address? Home { get; set; }

    public ImmutableList<Address> Others { get; init; } = [];

    public string Nickname { get; init; } = "none";

    // Computed: not stored, and no setter to restore it with.
    public int OtherCount => Others.Count;
}

/// <summary>A record that holds itself.</summary>
public sealed record TreeNode(string Label, ImmutableList<TreeNode> Children);

/// <summary>A record struct.</summary>
public readonly record struct Point(int X, int Y);

/// <summary>Public fields, set after construction.</summary>
public sealed class Counter
{
#pragma warning disable CA1051 // Public fields are the point here.
    public int Value;
    public string Tag = "untagged";
#pragma warning restore CA1051
}

/// <summary>A class with a required member.</summary>
public sealed class Ticket
{
    public required string Title { get; init; }

    public int Votes { get; set; }
}

/// <summary>A record whose constructor takes some members and whose other members have setters.</summary>
public sealed record Reading(string Sensor)
{
    public double Value { get; set; }

    public string Unit { get; set; } = "C";
}

/// <summary>Money, stored by <see cref="MoneyCodec"/> (registered for the whole assembly) as "12.50 EUR".</summary>
public readonly record struct Money(decimal Amount, string Currency);

/// <summary>Writes money as UTF-8 text.</summary>
public sealed class MoneyCodec : IFieldCodec<Money>
{
    public static void Write(IBufferWriter<byte> output, Money value) =>
        output.Write(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{value.Amount} {value.Currency}")));

    public static Money Read(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return new Money(decimal.Parse(text[..space], System.Globalization.CultureInfo.InvariantCulture), text[(space + 1)..]);
    }
}

/// <summary>Stores a string reversed, so a test can tell that the codec ran.</summary>
public sealed class ReversedCodec : IFieldCodec<string>
{
    public static void Write(IBufferWriter<byte> output, string value) =>
        output.Write(Encoding.UTF8.GetBytes(new string([.. (value ?? "").Reverse()])));

    public static string Read(ReadOnlySpan<byte> data) => new([.. Encoding.UTF8.GetString(data).Reverse()]);
}

/// <summary>A field of every kind the generated formatters store without reflection.</summary>
[GraphState]
public partial record CoverageState
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

    public Access Access { get; init; }

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

    public Point Point { get; init; }

    public Point? MaybePoint { get; init; }

    public Counter Counter { get; init; } = new();

    public Ticket? Ticket { get; init; }

    public Reading? Reading { get; init; }

    public ImmutableList<Address> Addresses { get; init; } = [];

    public ImmutableDictionary<string, Address> ByName { get; init; } = ImmutableDictionary<string, Address>.Empty;

    public Money Total { get; init; }

    public ImmutableList<Money> Payments { get; init; } = [];

    [FieldCodec(typeof(ReversedCodec))]
    public string Shout { get; init; } = "";
}
