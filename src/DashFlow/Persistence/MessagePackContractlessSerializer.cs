using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace DashFlow.Persistence;

/// <summary>
/// The interim default serializer: MessagePack's contractless (reflection-emitted) resolver plus immutable-collection
/// formatters. It handles any public type with settable or init properties, but it is not trim- or NativeAOT-safe; the
/// generated per-state formatters replace it as the default.
/// </summary>
[RequiresUnreferencedCode("Serializes through reflection; use a generated serializer under trimming.")]
[RequiresDynamicCode("Emits formatters at run time; use a generated serializer under NativeAOT.")]
public sealed class MessagePackContractlessSerializer : ICheckpointSerializer
{
    private static readonly MessagePackSerializerOptions s_options = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            [ImmutableBinaryFormatter.Instance],
            [ImmutableCollectionResolver.Instance, ContractlessStandardResolver.Instance]))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The shared instance.</summary>
    public static MessagePackContractlessSerializer Instance { get; } = new();

    /// <inheritdoc/>
    public byte[] Serialize(object? value, Type type) => MessagePackSerializer.Serialize(type, value, s_options);

    /// <inheritdoc/>
    public object? Deserialize(ReadOnlyMemory<byte> data, Type type) => MessagePackSerializer.Deserialize(type, data, s_options);

    /// <inheritdoc/>
    public byte[] SerializeAny(object? value)
    {
        if (value is null)
        {
            return [0xc0];
        }

        var type = value.GetType();
        var name = type.FullName + ", " + type.Assembly.GetName().Name;
        return MessagePackSerializer.Serialize(new Tagged { Type = name, Data = MessagePackSerializer.Serialize(type, value, s_options) }, s_options);
    }

    /// <inheritdoc/>
    public object? DeserializeAny(ReadOnlyMemory<byte> data)
    {
        if (data.Length == 1 && data.Span[0] == 0xc0)
        {
            return null;
        }

        var tagged = MessagePackSerializer.Deserialize<Tagged>(data, s_options);
        var type = Type.GetType(tagged.Type, throwOnError: true)!;
        return MessagePackSerializer.Deserialize(type, tagged.Data, s_options);
    }

    /// <summary>A value with its type name.</summary>
    [MessagePackObject]
    public sealed class Tagged
    {
        /// <summary>The type's full name and assembly name.</summary>
        [Key(0)]
        public string Type { get; set; } = "";

        /// <summary>The value's bytes.</summary>
        [Key(1)]
        public byte[] Data { get; set; } = [];
    }

    /// <summary>
    /// Immutable byte arrays as MessagePack binary, the generated formatters' wire format, so that either reads what the
    /// other wrote. Also reads the array of numbers this serializer wrote for them before.
    /// </summary>
    private sealed class ImmutableBinaryFormatter : IMessagePackFormatter<ImmutableArray<byte>>
    {
        public static readonly ImmutableBinaryFormatter Instance = new();

        public void Serialize(ref MessagePackWriter writer, ImmutableArray<byte> value, MessagePackSerializerOptions options) =>
            Internals.FieldFormatters.ImmutableBinary.Write(ref writer, value);

        public ImmutableArray<byte> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            Internals.FieldFormatters.ImmutableBinary.Read(ref reader);
    }

    private sealed class ImmutableCollectionResolver : IFormatterResolver
    {
        public static readonly ImmutableCollectionResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        private static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter = Create();

            [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reachable through the serializer, which is marked RequiresDynamicCode.")]
            [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "Only reachable through the serializer, which is marked RequiresUnreferencedCode.")]
            [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only reachable through the serializer, which is marked RequiresUnreferencedCode.")]
            [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "Only reachable through the serializer, which is marked RequiresUnreferencedCode.")]
            [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Only reachable through the serializer, which is marked RequiresUnreferencedCode.")]
            [UnconditionalSuppressMessage("Trimming", "IL2077", Justification = "Only reachable through the serializer, which is marked RequiresUnreferencedCode.")]
            private static IMessagePackFormatter<T>? Create()
            {
                var type = typeof(T);
                if (!type.IsGenericType)
                {
                    return null;
                }

                var definition = type.GetGenericTypeDefinition();
                var args = type.GetGenericArguments();
                Type? formatter =
                    definition == typeof(ImmutableList<>) ? typeof(ListFormatter<>) :
                    definition == typeof(ImmutableArray<>) ? typeof(ArrayFormatter<>) :
                    definition == typeof(ImmutableHashSet<>) ? typeof(HashSetFormatter<>) :
                    definition == typeof(ImmutableSortedSet<>) ? typeof(SortedSetFormatter<>) :
                    definition == typeof(ImmutableDictionary<,>) ? typeof(DictionaryFormatter<,>) :
                    definition == typeof(ImmutableSortedDictionary<,>) ? typeof(SortedDictionaryFormatter<,>) :
                    null;
                return formatter is null ? null : (IMessagePackFormatter<T>)Activator.CreateInstance(formatter.MakeGenericType(args))!;
            }
        }
    }

    private abstract class SequenceFormatter<TCollection, TItem> : IMessagePackFormatter<TCollection?>
    {
        public void Serialize(ref MessagePackWriter writer, TCollection? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            var items = Items(value);
            writer.WriteArrayHeader(items.Count);
            var formatter = options.Resolver.GetFormatterWithVerify<TItem>();
            foreach (var item in items)
            {
                formatter.Serialize(ref writer, item, options);
            }
        }

        public TCollection? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var count = reader.ReadArrayHeader();
            var formatter = options.Resolver.GetFormatterWithVerify<TItem>();
            var items = new TItem[count];
            for (var i = 0; i < count; i++)
            {
                items[i] = formatter.Deserialize(ref reader, options);
            }

            return Create(items);
        }

        protected abstract IReadOnlyCollection<TItem> Items(TCollection value);

        protected abstract TCollection Create(TItem[] items);
    }

    private sealed class ListFormatter<T> : SequenceFormatter<ImmutableList<T>, T>
    {
        protected override IReadOnlyCollection<T> Items(ImmutableList<T> value) => value;

        protected override ImmutableList<T> Create(T[] items) => [.. items];
    }

    private sealed class HashSetFormatter<T> : SequenceFormatter<ImmutableHashSet<T>, T>
    {
        protected override IReadOnlyCollection<T> Items(ImmutableHashSet<T> value) => value;

        protected override ImmutableHashSet<T> Create(T[] items) => [.. items];
    }

    private sealed class SortedSetFormatter<T> : SequenceFormatter<ImmutableSortedSet<T>, T>
    {
        protected override IReadOnlyCollection<T> Items(ImmutableSortedSet<T> value) => value;

        protected override ImmutableSortedSet<T> Create(T[] items) => [.. items];
    }

    private sealed class ArrayFormatter<T> : IMessagePackFormatter<ImmutableArray<T>>
    {
        public void Serialize(ref MessagePackWriter writer, ImmutableArray<T> value, MessagePackSerializerOptions options)
        {
            if (value.IsDefault)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteArrayHeader(value.Length);
            var formatter = options.Resolver.GetFormatterWithVerify<T>();
            foreach (var item in value)
            {
                formatter.Serialize(ref writer, item, options);
            }
        }

        public ImmutableArray<T> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var count = reader.ReadArrayHeader();
            var formatter = options.Resolver.GetFormatterWithVerify<T>();
            var items = ImmutableArray.CreateBuilder<T>(count);
            for (var i = 0; i < count; i++)
            {
                items.Add(formatter.Deserialize(ref reader, options));
            }

            return items.MoveToImmutable();
        }
    }

    private abstract class MapFormatter<TMap, TKey, TValue> : IMessagePackFormatter<TMap?>
        where TMap : IReadOnlyDictionary<TKey, TValue>
        where TKey : notnull
    {
        public void Serialize(ref MessagePackWriter writer, TMap? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteMapHeader(value.Count);
            var keys = options.Resolver.GetFormatterWithVerify<TKey>();
            var values = options.Resolver.GetFormatterWithVerify<TValue>();
            foreach (var (k, v) in value)
            {
                keys.Serialize(ref writer, k, options);
                values.Serialize(ref writer, v, options);
            }
        }

        public TMap? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var count = reader.ReadMapHeader();
            var keys = options.Resolver.GetFormatterWithVerify<TKey>();
            var values = options.Resolver.GetFormatterWithVerify<TValue>();
            var pairs = new KeyValuePair<TKey, TValue>[count];
            for (var i = 0; i < count; i++)
            {
                var k = keys.Deserialize(ref reader, options);
                pairs[i] = new(k, values.Deserialize(ref reader, options));
            }

            return Create(pairs);
        }

        protected abstract TMap Create(KeyValuePair<TKey, TValue>[] pairs);
    }

    private sealed class DictionaryFormatter<TKey, TValue> : MapFormatter<ImmutableDictionary<TKey, TValue>, TKey, TValue>
        where TKey : notnull
    {
        protected override ImmutableDictionary<TKey, TValue> Create(KeyValuePair<TKey, TValue>[] pairs) => ImmutableDictionary.CreateRange(pairs);
    }

    private sealed class SortedDictionaryFormatter<TKey, TValue> : MapFormatter<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue>
        where TKey : notnull
    {
        protected override ImmutableSortedDictionary<TKey, TValue> Create(KeyValuePair<TKey, TValue>[] pairs) => ImmutableSortedDictionary.CreateRange(pairs);
    }
}
