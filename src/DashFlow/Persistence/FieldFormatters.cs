using System.Buffers;
using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using MessagePack;

namespace DashFlow.Internals;

/// <summary>
/// Writes and reads one type of field value as MessagePack, without reflection. Generated state code composes these
/// (<see cref="FieldFormatters"/>); the wire format is the same as <see cref="Persistence.MessagePackContractlessSerializer"/>'s,
/// so either reads what the other wrote; the one exception is a codec's bytes, which only the codec reads. Both store
/// immutable byte arrays as MessagePack binary and still read the array of numbers such a field was stored as before.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class FieldFormatter<T>
{
    private protected FieldFormatter()
    {
    }

    internal abstract void Write(ref MessagePackWriter writer, T value);

    internal abstract T Read(ref MessagePackReader reader);
}

/// <summary>The formatters generated state code composes, and the entry points it calls. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FieldFormatters
{
    /// <summary>Strings (null included).</summary>
    public static FieldFormatter<string?> String { get; } = new Primitive<string?>((ref w, v) => w.Write(v), (ref r) => r.ReadString());

    /// <summary>Strings that are never null (dictionary keys).</summary>
    public static FieldFormatter<string> StringKey { get; } = new Primitive<string>((ref w, v) => w.Write(v), (ref r) => r.ReadString() ?? "");

    /// <summary>32-bit integers.</summary>
    public static FieldFormatter<int> Int32 { get; } = new Primitive<int>((ref w, v) => w.Write(v), (ref r) => r.ReadInt32());

    /// <summary>64-bit integers.</summary>
    public static FieldFormatter<long> Int64 { get; } = new Primitive<long>((ref w, v) => w.Write(v), (ref r) => r.ReadInt64());

    /// <summary>Booleans.</summary>
    public static FieldFormatter<bool> Boolean { get; } = new Primitive<bool>((ref w, v) => w.Write(v), (ref r) => r.ReadBoolean());

    /// <summary>Doubles.</summary>
    public static FieldFormatter<double> Double { get; } = new Primitive<double>((ref w, v) => w.Write(v), (ref r) => r.ReadDouble());

    /// <summary>Singles.</summary>
    public static FieldFormatter<float> Single { get; } = new Primitive<float>((ref w, v) => w.Write(v), (ref r) => r.ReadSingle());

    /// <summary>Timestamps (MessagePack's timestamp extension, UTC).</summary>
    public static FieldFormatter<DateTime> DateTime { get; } = new Primitive<DateTime>((ref w, v) => w.Write(v), (ref r) => r.ReadDateTime());

    /// <summary>Characters, as their UTF-16 code unit.</summary>
    public static FieldFormatter<char> Char { get; } = new Primitive<char>((ref w, v) => w.Write(v), (ref r) => r.ReadChar());

    /// <summary>Unsigned bytes.</summary>
    public static FieldFormatter<byte> Byte { get; } = new Primitive<byte>((ref w, v) => w.Write(v), (ref r) => r.ReadByte());

    /// <summary>Signed bytes.</summary>
    public static FieldFormatter<sbyte> SByte { get; } = new Primitive<sbyte>((ref w, v) => w.Write(v), (ref r) => r.ReadSByte());

    /// <summary>16-bit integers.</summary>
    public static FieldFormatter<short> Int16 { get; } = new Primitive<short>((ref w, v) => w.Write(v), (ref r) => r.ReadInt16());

    /// <summary>Unsigned 16-bit integers.</summary>
    public static FieldFormatter<ushort> UInt16 { get; } = new Primitive<ushort>((ref w, v) => w.Write(v), (ref r) => r.ReadUInt16());

    /// <summary>Unsigned 32-bit integers.</summary>
    public static FieldFormatter<uint> UInt32 { get; } = new Primitive<uint>((ref w, v) => w.Write(v), (ref r) => r.ReadUInt32());

    /// <summary>Unsigned 64-bit integers.</summary>
    public static FieldFormatter<ulong> UInt64 { get; } = new Primitive<ulong>((ref w, v) => w.Write(v), (ref r) => r.ReadUInt64());

    /// <summary>Decimals, as their invariant-culture text (what MessagePack's own decimal formatter writes); numbers are read too.</summary>
    public static FieldFormatter<decimal> Decimal { get; } = new Primitive<decimal>(WriteDecimal, ReadDecimal);

    /// <summary>Durations, as their ticks.</summary>
    public static FieldFormatter<TimeSpan> TimeSpan { get; } = new Primitive<TimeSpan>((ref w, v) => w.Write(v.Ticks), (ref r) => new TimeSpan(r.ReadInt64()));

    /// <summary>Points in time with their offset: the clock time as a timestamp and the offset in minutes.</summary>
    public static FieldFormatter<DateTimeOffset> DateTimeOffset { get; } = new Primitive<DateTimeOffset>(WriteDateTimeOffset, ReadDateTimeOffset);

    /// <summary>Guids, as their 36-character text.</summary>
    public static FieldFormatter<Guid> Guid { get; } = new Primitive<Guid>(WriteGuid, ReadGuid);

    /// <summary>Dates, as their day number.</summary>
    public static FieldFormatter<DateOnly> DateOnly { get; } = new Primitive<DateOnly>((ref w, v) => w.Write(v.DayNumber), (ref r) => System.DateOnly.FromDayNumber(r.ReadInt32()));

    /// <summary>Times of day, as their ticks.</summary>
    public static FieldFormatter<TimeOnly> TimeOnly { get; } = new Primitive<TimeOnly>((ref w, v) => w.Write(v.Ticks), (ref r) => new TimeOnly(r.ReadInt64()));

    /// <summary>URIs (null included), as the text they were created from.</summary>
    public static FieldFormatter<Uri?> Uri { get; } = new Primitive<Uri?>(
        (ref w, v) => w.Write(v?.OriginalString),
        (ref r) => r.ReadString() is { } text ? new Uri(text, UriKind.RelativeOrAbsolute) : null);

    /// <summary>Versions (null included), as their text.</summary>
    public static FieldFormatter<Version?> Version { get; } = new Primitive<Version?>(
        (ref w, v) => w.Write(v?.ToString()),
        (ref r) => r.ReadString() is { } text ? System.Version.Parse(text) : null);

    /// <summary>Big integers, as MessagePack binary holding their two's-complement bytes.</summary>
    public static FieldFormatter<BigInteger> BigInteger { get; } = new Primitive<BigInteger>(
        (ref w, v) => w.Write(v.ToByteArray()),
        (ref r) => r.ReadBytes() is { } bytes ? new BigInteger(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray()) : default);

    /// <summary>Byte arrays (null included), as MessagePack binary.</summary>
    public static FieldFormatter<byte[]?> Binary { get; } = new Primitive<byte[]?>(
        (ref w, v) => w.Write(v),
        (ref r) => r.ReadBytes()?.ToArray());

    /// <summary>Read-only byte memory, as MessagePack binary; nil reads back as empty memory.</summary>
    public static FieldFormatter<ReadOnlyMemory<byte>> MemoryBinary { get; } = new Primitive<ReadOnlyMemory<byte>>(
        (ref w, v) => w.Write(v.Span),
        (ref r) => r.ReadBytes() is { } bytes ? bytes.ToArray() : default(ReadOnlyMemory<byte>));

    /// <summary>
    /// Immutable byte arrays, as MessagePack binary; a default array is nil. Also reads an array of numbers, which is how
    /// such a field was stored before it had a formatter of its own.
    /// </summary>
    public static FieldFormatter<ImmutableArray<byte>> ImmutableBinary { get; } = new Primitive<ImmutableArray<byte>>(WriteImmutableBinary, ReadImmutableBinary);

    /// <summary>A nullable value type: nil or the value.</summary>
    /// <typeparam name="T">The underlying type.</typeparam>
    /// <param name="inner">The underlying type's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<T?> Nullable<T>(FieldFormatter<T> inner)
        where T : struct => new NullableFormatter<T>(inner);

    /// <summary>An immutable list: an array of items; nil reads back as null.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableList<T>?> List<T>(FieldFormatter<T> item) =>
        new SequenceFormatter<ImmutableList<T>, T>(item, static items => [.. items]);

    /// <summary>An immutable hash set: an array of items.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableHashSet<T>?> HashSet<T>(FieldFormatter<T> item) =>
        new SequenceFormatter<ImmutableHashSet<T>, T>(item, static items => [.. items]);

    /// <summary>An immutable array: an array of items; nil reads back as a default array.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableArray<T>> Array<T>(FieldFormatter<T> item) => new ArrayFormatter<T>(item);

    /// <summary>An immutable dictionary: a map.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="key">The keys' formatter.</param>
    /// <param name="value">The values' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableDictionary<TKey, TValue>?> Dictionary<TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value)
        where TKey : notnull => new DictionaryFormatter<TKey, TValue>(key, value);

    /// <summary>An immutable sorted set: an array of items, in order.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableSortedSet<T>?> SortedSet<T>(FieldFormatter<T> item) =>
        new SequenceFormatter<ImmutableSortedSet<T>, T>(item, static items => [.. items]);

    /// <summary>An immutable sorted dictionary: a map, in key order.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="key">The keys' formatter.</param>
    /// <param name="value">The values' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableSortedDictionary<TKey, TValue>?> SortedDictionary<TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value)
        where TKey : notnull => new MapFormatter<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue>(key, value, static pairs => ImmutableSortedDictionary.CreateRange(pairs));

    /// <summary>An immutable queue: an array of items, front first.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableQueue<T>?> Queue<T>(FieldFormatter<T> item) =>
        new SequenceFormatter<ImmutableQueue<T>, T>(item, static items => ImmutableQueue.Create(items));

    /// <summary>An immutable stack: an array of items, top first (the order it enumerates in).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableStack<T>?> Stack<T>(FieldFormatter<T> item) =>
        new SequenceFormatter<ImmutableStack<T>, T>(item, static items =>
        {
            var stack = ImmutableStack<T>.Empty;
            for (var i = items.Length - 1; i >= 0; i--)
            {
                stack = stack.Push(items[i]);
            }

            return stack;
        });

    /// <summary>
    /// Any other collection, and read-only collection interfaces: an array of items, read back through
    /// <paramref name="create"/> (the generator passes the concrete type to create, immutable for an interface).
    /// </summary>
    /// <typeparam name="TCollection">The declared collection type.</typeparam>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <param name="create">Makes the collection from the items read.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<TCollection?> Sequence<TCollection, T>(FieldFormatter<T> item, Func<T[], TCollection> create)
        where TCollection : class, IEnumerable<T> => new SequenceFormatter<TCollection, T>(item, create);

    /// <summary>
    /// Any other dictionary, and read-only dictionary interfaces: a map, read back through <paramref name="create"/>.
    /// </summary>
    /// <typeparam name="TMap">The declared dictionary type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="key">The keys' formatter.</param>
    /// <param name="value">The values' formatter.</param>
    /// <param name="create">Makes the dictionary from the pairs read, in stored order.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<TMap?> Map<TMap, TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value, Func<KeyValuePair<TKey, TValue>[], TMap> create)
        where TMap : class, IEnumerable<KeyValuePair<TKey, TValue>> => new MapFormatter<TMap, TKey, TValue>(key, value, create);

    /// <summary>A value tuple of 2: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2)> ValueTuple<T1, T2>(FieldFormatter<T1> item1, FieldFormatter<T2> item2) =>
        new TupleFormatter<(T1, T2)>(
            2,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r)));

    /// <summary>A value tuple of 3: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <param name="item3">The third item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2, T3)> ValueTuple<T1, T2, T3>(FieldFormatter<T1> item1, FieldFormatter<T2> item2, FieldFormatter<T3> item3) =>
        new TupleFormatter<(T1, T2, T3)>(
            3,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
                item3.Write(ref w, v.Item3);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r), item3.Read(ref r)));

    /// <summary>A value tuple of 4: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <typeparam name="T4">The fourth item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <param name="item3">The third item's formatter.</param>
    /// <param name="item4">The fourth item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2, T3, T4)> ValueTuple<T1, T2, T3, T4>(FieldFormatter<T1> item1, FieldFormatter<T2> item2, FieldFormatter<T3> item3, FieldFormatter<T4> item4) =>
        new TupleFormatter<(T1, T2, T3, T4)>(
            4,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
                item3.Write(ref w, v.Item3);
                item4.Write(ref w, v.Item4);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r), item3.Read(ref r), item4.Read(ref r)));

    /// <summary>A value tuple of 5: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <typeparam name="T4">The fourth item's type.</typeparam>
    /// <typeparam name="T5">The fifth item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <param name="item3">The third item's formatter.</param>
    /// <param name="item4">The fourth item's formatter.</param>
    /// <param name="item5">The fifth item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2, T3, T4, T5)> ValueTuple<T1, T2, T3, T4, T5>(FieldFormatter<T1> item1, FieldFormatter<T2> item2, FieldFormatter<T3> item3, FieldFormatter<T4> item4, FieldFormatter<T5> item5) =>
        new TupleFormatter<(T1, T2, T3, T4, T5)>(
            5,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
                item3.Write(ref w, v.Item3);
                item4.Write(ref w, v.Item4);
                item5.Write(ref w, v.Item5);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r), item3.Read(ref r), item4.Read(ref r), item5.Read(ref r)));

    /// <summary>A value tuple of 6: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <typeparam name="T4">The fourth item's type.</typeparam>
    /// <typeparam name="T5">The fifth item's type.</typeparam>
    /// <typeparam name="T6">The sixth item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <param name="item3">The third item's formatter.</param>
    /// <param name="item4">The fourth item's formatter.</param>
    /// <param name="item5">The fifth item's formatter.</param>
    /// <param name="item6">The sixth item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2, T3, T4, T5, T6)> ValueTuple<T1, T2, T3, T4, T5, T6>(FieldFormatter<T1> item1, FieldFormatter<T2> item2, FieldFormatter<T3> item3, FieldFormatter<T4> item4, FieldFormatter<T5> item5, FieldFormatter<T6> item6) =>
        new TupleFormatter<(T1, T2, T3, T4, T5, T6)>(
            6,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
                item3.Write(ref w, v.Item3);
                item4.Write(ref w, v.Item4);
                item5.Write(ref w, v.Item5);
                item6.Write(ref w, v.Item6);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r), item3.Read(ref r), item4.Read(ref r), item5.Read(ref r), item6.Read(ref r)));

    /// <summary>A value tuple of 7: an array of its items, as MessagePack writes it.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <typeparam name="T4">The fourth item's type.</typeparam>
    /// <typeparam name="T5">The fifth item's type.</typeparam>
    /// <typeparam name="T6">The sixth item's type.</typeparam>
    /// <typeparam name="T7">The seventh item's type.</typeparam>
    /// <param name="item1">The first item's formatter.</param>
    /// <param name="item2">The second item's formatter.</param>
    /// <param name="item3">The third item's formatter.</param>
    /// <param name="item4">The fourth item's formatter.</param>
    /// <param name="item5">The fifth item's formatter.</param>
    /// <param name="item6">The sixth item's formatter.</param>
    /// <param name="item7">The seventh item's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<(T1, T2, T3, T4, T5, T6, T7)> ValueTuple<T1, T2, T3, T4, T5, T6, T7>(FieldFormatter<T1> item1, FieldFormatter<T2> item2, FieldFormatter<T3> item3, FieldFormatter<T4> item4, FieldFormatter<T5> item5, FieldFormatter<T6> item6, FieldFormatter<T7> item7) =>
        new TupleFormatter<(T1, T2, T3, T4, T5, T6, T7)>(
            7,
            (ref w, v) =>
            {
                item1.Write(ref w, v.Item1);
                item2.Write(ref w, v.Item2);
                item3.Write(ref w, v.Item3);
                item4.Write(ref w, v.Item4);
                item5.Write(ref w, v.Item5);
                item6.Write(ref w, v.Item6);
                item7.Write(ref w, v.Item7);
            },
            (ref r) => (item1.Read(ref r), item2.Read(ref r), item3.Read(ref r), item4.Read(ref r), item5.Read(ref r), item6.Read(ref r), item7.Read(ref r)));

    /// <summary>A key and value pair: an array of the key and the value, as MessagePack writes it.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="key">The key's formatter.</param>
    /// <param name="value">The value's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<KeyValuePair<TKey, TValue>> KeyValuePair<TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value) =>
        new TupleFormatter<KeyValuePair<TKey, TValue>>(
            2,
            (ref w, v) =>
            {
                key.Write(ref w, v.Key);
                value.Write(ref w, v.Value);
            },
            (ref r) =>
            {
                var k = key.Read(ref r);
                return new(k, value.Read(ref r));
            });

    /// <summary>An enum, as its underlying integer.</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    /// <typeparam name="TUnderlying">Its underlying type.</typeparam>
    /// <param name="underlying">The underlying type's formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<TEnum> Enum<TEnum, TUnderlying>(FieldFormatter<TUnderlying> underlying)
        where TEnum : struct, Enum
        where TUnderlying : struct => new EnumFormatter<TEnum, TUnderlying>(underlying);

    /// <summary>
    /// A record, class or struct: a map from member name to value, like MessagePack's contractless resolver writes. Reading
    /// skips names it does not know and leaves members that are not stored as the type's constructor leaves them, so a
    /// member added later still reads an older checkpoint.
    /// </summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="members">The stored members' names, in the order <paramref name="write"/> writes them.</param>
    /// <param name="write">Writes every member, in order.</param>
    /// <param name="read">Reads the members that are stored and creates the value.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<T> Object<T>(string[] members, WriteObject<T> write, ReadObject<T> read) => new ObjectFormatter<T>(members, write, read);

    /// <summary>A type stored by a user's or a library's <see cref="Persistence.IFieldCodec{T}"/>: MessagePack binary holding the codec's bytes.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <typeparam name="TCodec">The codec.</typeparam>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<T> Codec<T, TCodec>()
        where TCodec : Persistence.IFieldCodec<T> => CodecFormatter<T, TCodec>.Instance;

    /// <summary>
    /// Any other type, through MessagePack's contractless resolver. Not trim- or NativeAOT-safe: the generator uses it only
    /// for field types it has no formatter for.
    /// </summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<T> Fallback<T>() => FallbackFormatter<T>.Instance;

    /// <summary>Serializes a field value.</summary>
    /// <typeparam name="T">The field's type.</typeparam>
    /// <param name="formatter">Its formatter.</param>
    /// <param name="value">The value, boxed.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Serialize<T>(FieldFormatter<T> formatter, object? value)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var buffer = Persistence.ThreadBuffer.Rent();
        try
        {
            Write(formatter, value, buffer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            Persistence.ThreadBuffer.Return(buffer);
        }
    }

    /// <summary>Writes a field value (boxed) with its formatter to <paramref name="output"/>: the bytes <see cref="Serialize{T}"/> returns.</summary>
    /// <typeparam name="T">The field's type.</typeparam>
    /// <param name="formatter">Its formatter.</param>
    /// <param name="value">The value, boxed.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <returns>True (the generated <c>TryWriteField</c> returns it).</returns>
    public static bool Write<T>(FieldFormatter<T> formatter, object? value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new MessagePackWriter(output);
        formatter.Write(ref writer, (T)value!);
        writer.Flush();
        return true;
    }

    /// <summary>Reads back a field value.</summary>
    /// <typeparam name="T">The field's type.</typeparam>
    /// <param name="formatter">Its formatter.</param>
    /// <param name="data">The bytes.</param>
    /// <returns>The value, boxed.</returns>
    public static object? Deserialize<T>(FieldFormatter<T> formatter, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var reader = new MessagePackReader(data);
        var value = formatter.Read(ref reader);
        if (!reader.End)
        {
            throw new InvalidDataException($"{reader.Sequence.Length - reader.Consumed} bytes follow the stored {typeof(T).Name} value.");
        }

        return value;
    }

    private static void WriteDecimal(ref MessagePackWriter writer, decimal value)
    {
        // Formatted as UTF-8 straight into the output: a decimal has at most 31 characters.
        Span<byte> text = stackalloc byte[64];
        value.TryFormat(text, out var length, provider: CultureInfo.InvariantCulture);
        writer.WriteStringHeader(length);
        text[..length].CopyTo(writer.GetSpan(length));
        writer.Advance(length);
    }

    private static decimal ReadDecimal(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.Integer => reader.ReadInt64(),
        MessagePackType.Float => (decimal)reader.ReadDouble(),
        _ => decimal.Parse(reader.ReadString() ?? throw new InvalidDataException("A stored decimal is nil."), NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static void WriteDateTimeOffset(ref MessagePackWriter writer, DateTimeOffset value)
    {
        writer.WriteArrayHeader(2);
        writer.Write(new DateTime(value.Ticks, DateTimeKind.Utc));
        writer.Write((short)value.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadDateTimeOffset(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count != 2)
        {
            throw new InvalidDataException($"A stored DateTimeOffset has {count} parts; it should have 2 (clock time, offset in minutes).");
        }

        var clock = reader.ReadDateTime();
        return new DateTimeOffset(clock.Ticks, System.TimeSpan.FromMinutes(reader.ReadInt16()));
    }

    private static void WriteGuid(ref MessagePackWriter writer, Guid value)
    {
        writer.WriteStringHeader(36);
        value.TryFormat(writer.GetSpan(36), out _);
        writer.Advance(36);
    }

    private static Guid ReadGuid(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.Binary)
        {
            var bytes = reader.ReadBytes()!.Value;
            return new Guid(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
        }

        return System.Guid.Parse(reader.ReadString() ?? throw new InvalidDataException("A stored Guid is nil."));
    }

    private static void WriteImmutableBinary(ref MessagePackWriter writer, ImmutableArray<byte> value)
    {
        if (value.IsDefault)
        {
            writer.WriteNil();
            return;
        }

        writer.Write(value.AsSpan());
    }

    private static ImmutableArray<byte> ReadImmutableBinary(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return default;
        }

        if (reader.NextMessagePackType == MessagePackType.Array)
        {
            var items = new byte[reader.ReadArrayHeader()];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = reader.ReadByte();
            }

            return ImmutableCollectionsMarshal.AsImmutableArray(items);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(reader.ReadBytes()!.Value.ToArray());
    }

    private delegate void WriteValue<T>(ref MessagePackWriter writer, T value);

    private delegate T ReadValue<T>(ref MessagePackReader reader);

    private sealed class Primitive<T>(WriteValue<T> write, ReadValue<T> read) : FieldFormatter<T>
    {
        internal override void Write(ref MessagePackWriter writer, T value) => write(ref writer, value);

        internal override T Read(ref MessagePackReader reader) => read(ref reader);
    }

    private sealed class NullableFormatter<T>(FieldFormatter<T> inner) : FieldFormatter<T?>
        where T : struct
    {
        internal override void Write(ref MessagePackWriter writer, T? value)
        {
            if (value is { } v)
            {
                inner.Write(ref writer, v);
            }
            else
            {
                writer.WriteNil();
            }
        }

        internal override T? Read(ref MessagePackReader reader) => reader.TryReadNil() ? null : inner.Read(ref reader);
    }

    private sealed class SequenceFormatter<TCollection, T>(FieldFormatter<T> item, Func<T[], TCollection> create) : FieldFormatter<TCollection?>
        where TCollection : class, IEnumerable<T>
    {
        internal override void Write(ref MessagePackWriter writer, TCollection? value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            // Immutable collections know their count; anything else is buffered once so the header is right.
            if (value is IReadOnlyCollection<T> counted)
            {
                writer.WriteArrayHeader(counted.Count);
                foreach (var v in value)
                {
                    item.Write(ref writer, v);
                }

                return;
            }

            var items = value.ToArray();
            writer.WriteArrayHeader(items.Length);
            foreach (var v in items)
            {
                item.Write(ref writer, v);
            }
        }

        internal override TCollection? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var items = new T[reader.ReadArrayHeader()];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = item.Read(ref reader);
            }

            return create(items);
        }
    }

    private sealed class ArrayFormatter<T>(FieldFormatter<T> item) : FieldFormatter<ImmutableArray<T>>
    {
        internal override void Write(ref MessagePackWriter writer, ImmutableArray<T> value)
        {
            if (value.IsDefault)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteArrayHeader(value.Length);
            foreach (var v in value)
            {
                item.Write(ref writer, v);
            }
        }

        internal override ImmutableArray<T> Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var items = ImmutableArray.CreateBuilder<T>(reader.ReadArrayHeader());
            for (var i = 0; i < items.Capacity; i++)
            {
                items.Add(item.Read(ref reader));
            }

            return items.MoveToImmutable();
        }
    }

    private sealed class DictionaryFormatter<TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value) : FieldFormatter<ImmutableDictionary<TKey, TValue>?>
        where TKey : notnull
    {
        internal override void Write(ref MessagePackWriter writer, ImmutableDictionary<TKey, TValue>? map)
        {
            if (map is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteMapHeader(map.Count);
            foreach (var (k, v) in map)
            {
                key.Write(ref writer, k);
                value.Write(ref writer, v);
            }
        }

        internal override ImmutableDictionary<TKey, TValue>? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var count = reader.ReadMapHeader();
            var builder = ImmutableDictionary.CreateBuilder<TKey, TValue>();
            for (var i = 0; i < count; i++)
            {
                var k = key.Read(ref reader);
                builder[k] = value.Read(ref reader);
            }

            return builder.ToImmutable();
        }
    }

    private sealed class MapFormatter<TMap, TKey, TValue>(FieldFormatter<TKey> key, FieldFormatter<TValue> value, Func<KeyValuePair<TKey, TValue>[], TMap> create)
        : FieldFormatter<TMap?>
        where TMap : class, IEnumerable<KeyValuePair<TKey, TValue>>
    {
        internal override void Write(ref MessagePackWriter writer, TMap? map)
        {
            if (map is null)
            {
                writer.WriteNil();
                return;
            }

            var pairs = map as IReadOnlyCollection<KeyValuePair<TKey, TValue>> ?? map.ToArray();
            writer.WriteMapHeader(pairs.Count);
            foreach (var (k, v) in pairs)
            {
                key.Write(ref writer, k);
                value.Write(ref writer, v);
            }
        }

        internal override TMap? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var pairs = new KeyValuePair<TKey, TValue>[reader.ReadMapHeader()];
            for (var i = 0; i < pairs.Length; i++)
            {
                var k = key.Read(ref reader);
                pairs[i] = new(k, value.Read(ref reader));
            }

            return create(pairs);
        }
    }

    /// <summary>A value tuple or a pair: a fixed number of items in an array; a struct, so nil is not a value.</summary>
    private sealed class TupleFormatter<T>(int count, WriteValue<T> write, ReadValue<T> read) : FieldFormatter<T>
    {
        internal override void Write(ref MessagePackWriter writer, T value)
        {
            writer.WriteArrayHeader(count);
            write(ref writer, value);
        }

        internal override T Read(ref MessagePackReader reader)
        {
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                throw new InvalidDataException($"A stored {Name()} is a MessagePack {reader.NextMessagePackType}; it should be an array of its {count} items.");
            }

            var stored = reader.ReadArrayHeader();
            if (stored != count)
            {
                throw new InvalidDataException($"A stored {Name()} has {stored} items; it should have {count}.");
            }

            return read(ref reader);
        }

        /// <summary><c>ValueTuple&lt;Int32, String&gt;</c> rather than <c>ValueTuple`2</c>, for error messages.</summary>
        private static string Name()
        {
            var name = typeof(T).Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return tick < 0 ? name : $"{name[..tick]}<{string.Join(", ", typeof(T).GetGenericArguments().Select(a => a.Name))}>";
        }
    }

    private sealed class EnumFormatter<TEnum, TUnderlying>(FieldFormatter<TUnderlying> underlying) : FieldFormatter<TEnum>
        where TEnum : struct, Enum
        where TUnderlying : struct
    {
        internal override void Write(ref MessagePackWriter writer, TEnum value) => underlying.Write(ref writer, Unsafe.BitCast<TEnum, TUnderlying>(value));

        internal override TEnum Read(ref MessagePackReader reader) => Unsafe.BitCast<TUnderlying, TEnum>(underlying.Read(ref reader));
    }

    private sealed class ObjectFormatter<T>(string[] members, WriteObject<T> write, ReadObject<T> read) : FieldFormatter<T>
    {
        private readonly byte[][] _keys = [.. members.Select(Encoding.UTF8.GetBytes)];

        internal override void Write(ref MessagePackWriter writer, T value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteMapHeader(_keys.Length);
            var members = new ObjectWriter(writer, _keys);
            write(ref members, value);
            if (members.Written != _keys.Length)
            {
                throw new InvalidOperationException($"The formatter of {typeof(T).Name} wrote {members.Written} of its {_keys.Length} members.");
            }

            writer = members.Writer;
        }

        internal override T Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return default!;
            }

            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                throw new InvalidDataException($"A stored {typeof(T).Name} is a MessagePack {reader.NextMessagePackType}; it should be a map of its members.");
            }

            // The count is read before the reader is copied into the member reader, which goes on from there.
            var count = reader.ReadMapHeader();
            var members = new ObjectReader(reader, _keys, count);
            var value = read(ref members);
            members.SkipRest();
            reader = members.Reader;
            return value;
        }
    }

    private sealed class CodecFormatter<T, TCodec> : FieldFormatter<T>
        where TCodec : Persistence.IFieldCodec<T>
    {
        public static readonly CodecFormatter<T, TCodec> Instance = new();

        internal override void Write(ref MessagePackWriter writer, T value)
        {
            var buffer = new ArrayBufferWriter<byte>();
            TCodec.Write(buffer, value);
            writer.Write(buffer.WrittenSpan);
        }

        internal override T Read(ref MessagePackReader reader)
        {
            var bytes = reader.ReadBytes() ?? throw new InvalidDataException($"A stored {typeof(T).Name} value is nil; {typeof(TCodec).Name} wrote binary data.");
            return bytes.IsSingleSegment ? TCodec.Read(bytes.FirstSpan) : TCodec.Read(bytes.ToArray());
        }
    }

    private sealed class FallbackFormatter<T> : FieldFormatter<T>
    {
        public static readonly FallbackFormatter<T> Instance = new();

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The generator uses the fallback only for field types it has no formatter for; documented as not trim-safe.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The generator uses the fallback only for field types it has no formatter for; documented as not AOT-safe.")]
        internal override void Write(ref MessagePackWriter writer, T value) =>
            writer.WriteRaw(Persistence.MessagePackContractlessSerializer.Instance.Serialize(value, typeof(T)));

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See Write.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See Write.")]
        internal override T Read(ref MessagePackReader reader)
        {
            var start = reader.Position;
            reader.Skip();
            var bytes = reader.Sequence.Slice(start, reader.Position).ToArray();
            return (T)Persistence.MessagePackContractlessSerializer.Instance.Deserialize(bytes, typeof(T))!;
        }
    }
}

/// <summary>Writes every member of a value through <see cref="ObjectWriter.Write{TValue}"/>, in order. For generated code.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="writer">Where the members go.</param>
/// <param name="value">The value (never null).</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void WriteObject<T>(ref ObjectWriter writer, T value);

/// <summary>Reads the stored members through <see cref="ObjectReader"/> and creates the value. For generated code.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="reader">The stored members.</param>
/// <returns>The value.</returns>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate T ReadObject<T>(ref ObjectReader reader);

/// <summary>Writes the members of one value of a <see cref="FieldFormatters.Object{T}"/> formatter. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ObjectWriter
{
    // The MessagePack writer is held by value (a ref struct cannot hold a reference to another) and copied back by the
    // formatter when the value is written.
    internal MessagePackWriter Writer;

    private readonly byte[][] _keys;

    internal ObjectWriter(MessagePackWriter writer, byte[][] keys)
    {
        Writer = writer;
        _keys = keys;
    }

    internal int Written { get; private set; }

    /// <summary>Writes the next member: its name, then its value.</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="member">The member's index in the formatter's names; members are written in that order.</param>
    /// <param name="value">The member's value.</param>
    /// <param name="formatter">The member type's formatter.</param>
    public void Write<TValue>(int member, TValue value, FieldFormatter<TValue> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (member != Written)
        {
            throw new InvalidOperationException($"Member {member} was written in place of member {Written}.");
        }

        Writer.WriteString(_keys[member]);
        formatter.Write(ref Writer, value);
        Written++;
    }
}

/// <summary>Reads the stored members of one value of a <see cref="FieldFormatters.Object{T}"/> formatter. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ObjectReader
{
    // Held by value, like ObjectWriter's writer.
    internal MessagePackReader Reader;

    private readonly byte[][] _keys;
    private int _remaining;
    private int _expected;
    private bool _pending;

    internal ObjectReader(MessagePackReader reader, byte[][] keys, int count)
    {
        Reader = reader;
        _keys = keys;
        _remaining = count;
    }

    /// <summary>Moves to the next stored member this type knows, skipping the ones it does not.</summary>
    /// <param name="member">The member's index in the formatter's names; read its value with <see cref="Read{TValue}"/>.</param>
    /// <returns>False when no member is left.</returns>
    public bool TryReadMember(out int member)
    {
        if (_pending)
        {
            Reader.Skip();
            _pending = false;
        }

        while (_remaining > 0)
        {
            _remaining--;
            member = Match();
            if (member >= 0)
            {
                _pending = true;
                _expected = member + 1;
                return true;
            }

            Reader.Skip();
        }

        member = -1;
        return false;
    }

    /// <summary>Reads the value of the member <see cref="TryReadMember"/> moved to.</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="formatter">The member type's formatter.</param>
    /// <returns>The value.</returns>
    public TValue Read<TValue>(FieldFormatter<TValue> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!_pending)
        {
            throw new InvalidOperationException("No member to read: call TryReadMember first.");
        }

        _pending = false;
        return formatter.Read(ref Reader);
    }

    internal void SkipRest()
    {
        while (TryReadMember(out _))
        {
        }
    }

    /// <summary>Reads a member name and finds it among the known names (-1 when unknown or not a string).</summary>
    private int Match()
    {
        if (Reader.NextMessagePackType != MessagePackType.String)
        {
            Reader.Skip();
            return -1;
        }

        ReadOnlySpan<byte> name;
        if (!Reader.TryReadStringSpan(out name))
        {
            name = Reader.ReadStringSequence() is { } sequence ? sequence.ToArray() : default;
        }

        // Members are usually stored in the order they are written, so the next one is tried first.
        if (_expected < _keys.Length && name.SequenceEqual(_keys[_expected]))
        {
            return _expected;
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if (name.SequenceEqual(_keys[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
