using System.Buffers;
using DashFlow.Internals;
using DashFlow.Persistence;
using MessagePack;

namespace DashFlow.Tests.Persistence;

/// <summary>A type only the contractless serializer stores, holding an immutable byte array.</summary>
public sealed class BlobHolder
{
    public string Name { get; set; } = "";

    public ImmutableArray<byte> Data { get; set; }

    public ImmutableArray<byte>? Maybe { get; set; }
}

/// <summary>
/// The contractless serializer stores an immutable byte array as MessagePack binary, like the generated formatter, so that
/// either reads the other's bytes; it still reads the array of numbers it wrote before, alone and inside other values.
/// </summary>
public sealed class ContractlessBinaryTests
{
    private static readonly ImmutableArray<byte> s_bytes = [0, 9, 127, 128, 200, 255];

    [Fact]
    public void An_immutable_byte_array_is_written_as_binary_byte_for_byte_as_the_generated_formatter_writes_it()
    {
        var contractless = Contractless.Serialize(s_bytes, typeof(ImmutableArray<byte>));
        var generated = FieldFormatters.Serialize(FieldFormatters.ImmutableBinary, s_bytes);

        Assert.Equal(MessagePackType.Binary, new MessagePackReader(contractless).NextMessagePackType);
        Assert.Equal(Convert.ToHexString(generated), Convert.ToHexString(contractless));
    }

    [Fact]
    public void The_contractless_serializer_reads_the_binary_the_generated_formatter_writes_and_the_other_way_round()
    {
        var generated = FieldFormatters.Serialize(FieldFormatters.ImmutableBinary, s_bytes);
        var contractless = Contractless.Serialize(s_bytes, typeof(ImmutableArray<byte>));

        Assert.Equal(s_bytes.ToArray(), ((ImmutableArray<byte>)Contractless.Deserialize(generated, typeof(ImmutableArray<byte>))!).ToArray());
        Assert.Equal(s_bytes.ToArray(), ((ImmutableArray<byte>)FieldFormatters.Deserialize(FieldFormatters.ImmutableBinary, contractless)!).ToArray());
    }

    [Fact]
    public void The_array_of_numbers_written_before_still_reads_back()
    {
        var before = Write((ref writer) =>
        {
            writer.WriteArrayHeader(s_bytes.Length);
            foreach (var b in s_bytes)
            {
                writer.Write(b);
            }
        });

        Assert.Equal(MessagePackType.Array, new MessagePackReader(before).NextMessagePackType);
        Assert.Equal(s_bytes.ToArray(), ((ImmutableArray<byte>)Contractless.Deserialize(before, typeof(ImmutableArray<byte>))!).ToArray());
    }

    [Fact]
    public void A_default_array_is_nil_and_an_empty_one_is_empty_binary()
    {
        var nil = Contractless.Serialize(default(ImmutableArray<byte>), typeof(ImmutableArray<byte>));
        var empty = Contractless.Serialize(ImmutableArray<byte>.Empty, typeof(ImmutableArray<byte>));

        Assert.Equal([0xc0], nil);
        Assert.True(((ImmutableArray<byte>)Contractless.Deserialize(nil, typeof(ImmutableArray<byte>))!).IsDefault);
        Assert.Equal(MessagePackType.Binary, new MessagePackReader(empty).NextMessagePackType);
        var back = (ImmutableArray<byte>)Contractless.Deserialize(empty, typeof(ImmutableArray<byte>))!;
        Assert.False(back.IsDefault);
        Assert.Empty(back);
    }

    [Fact]
    public void Inside_a_type_only_the_contractless_serializer_stores_it_is_binary_and_reads_both_forms()
    {
        var holder = new BlobHolder { Name = "h", Data = s_bytes, Maybe = [1, 2] };

        var written = Contractless.Serialize(holder, typeof(BlobHolder));
        var back = (BlobHolder)Contractless.Deserialize(written, typeof(BlobHolder))!;

        Assert.Equal(MessagePackType.Binary, MemberType(written, "Data"));
        Assert.Equal(MessagePackType.Binary, MemberType(written, "Maybe"));
        Assert.Equal("h", back.Name);
        Assert.Equal(s_bytes.ToArray(), back.Data.ToArray());
        Assert.Equal([1, 2], back.Maybe!.Value.ToArray());

        // The same holder as it was stored before: both byte arrays as arrays of numbers.
        var before = Write((ref writer) =>
        {
            writer.WriteMapHeader(3);
            writer.Write("Name");
            writer.Write("old");
            writer.Write("Data");
            writer.WriteArrayHeader(2);
            writer.Write(200);
            writer.Write(1);
            writer.Write("Maybe");
            writer.WriteArrayHeader(1);
            writer.Write(255);
        });
        var old = (BlobHolder)Contractless.Deserialize(before, typeof(BlobHolder))!;

        Assert.Equal("old", old.Name);
        Assert.Equal([200, 1], old.Data.ToArray());
        Assert.Equal([255], old.Maybe!.Value.ToArray());
    }

    [Fact]
    public void A_tagged_value_of_any_type_round_trips()
    {
        var tagged = Contractless.SerializeAny(s_bytes);

        Assert.Equal(s_bytes.ToArray(), ((ImmutableArray<byte>)Contractless.DeserializeAny(tagged)!).ToArray());
    }

#pragma warning disable IL2026, IL3050 // The contractless serializer is the subject of these tests.
    private static MessagePackContractlessSerializer Contractless => MessagePackContractlessSerializer.Instance;
#pragma warning restore IL2026, IL3050

    private delegate void WriteTo(ref MessagePackWriter writer);

    private static byte[] Write(WriteTo write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The MessagePack type of one member's value in a stored map.</summary>
    private static MessagePackType MemberType(byte[] map, string member)
    {
        var reader = new MessagePackReader(map);
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadString() == member)
            {
                return reader.NextMessagePackType;
            }

            reader.Skip();
        }

        throw new InvalidOperationException($"No member {member} is stored.");
    }
}
