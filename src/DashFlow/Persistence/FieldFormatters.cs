using System.Buffers;
using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace DashFlow.Internals;

/// <summary>
/// Writes and reads one type of field value as MessagePack, without reflection. Generated state code composes these
/// (<see cref="FieldFormatters"/>); the wire format is the same as <see cref="Persistence.MessagePackContractlessSerializer"/>'s,
/// so either reads what the other wrote.
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
        new Sequence<ImmutableList<T>, T>(item, static items => [.. items]);

    /// <summary>An immutable hash set: an array of items.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="item">The items' formatter.</param>
    /// <returns>The formatter.</returns>
    public static FieldFormatter<ImmutableHashSet<T>?> HashSet<T>(FieldFormatter<T> item) =>
        new Sequence<ImmutableHashSet<T>, T>(item, static items => [.. items]);

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
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        formatter.Write(ref writer, (T)value!);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
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

    private sealed class Sequence<TCollection, T>(FieldFormatter<T> item, Func<T[], TCollection> create) : FieldFormatter<TCollection?>
        where TCollection : class, IReadOnlyCollection<T>
    {
        internal override void Write(ref MessagePackWriter writer, TCollection? value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteArrayHeader(value.Count);
            foreach (var v in value)
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
