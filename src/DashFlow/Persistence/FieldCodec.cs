using System.Buffers;

namespace DashFlow.Persistence;

/// <summary>
/// Stores values of a type the generated checkpoint formatters do not know (a library's type such as a chat message, or a
/// type that needs its own wire format). A codec writes a value as bytes and reads it back; DashFlow frames those bytes in
/// the checkpoint. Register it for a type with <see cref="FieldCodecAttribute"/> on the assembly (every state field of that
/// type, in any state, and items of collections of it) or on one state property.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <example><code>
/// public sealed class MoneyCodec : IFieldCodec&lt;Money&gt;
/// {
///     public static void Write(IBufferWriter&lt;byte&gt; output, Money value) =&gt; ...;
///     public static Money Read(ReadOnlySpan&lt;byte&gt; data) =&gt; ...;
/// }
/// [assembly: FieldCodec(typeof(Money), typeof(MoneyCodec))]
/// </code></example>
public interface IFieldCodec<T>
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="value">The value (null for a reference type that holds none).</param>
    static abstract void Write(IBufferWriter<byte> output, T value);

    /// <summary>Reads back what <see cref="Write"/> wrote.</summary>
    /// <param name="data">Exactly the bytes <see cref="Write"/> wrote.</param>
    /// <returns>The value.</returns>
    static abstract T Read(ReadOnlySpan<byte> data);
}

/// <summary>
/// Names the <see cref="IFieldCodec{T}"/> that stores a type in checkpoints. On an assembly, with the value type and the
/// codec type, it applies to every state field of that type (and items of collections of it) in this assembly and in
/// every assembly that references it. On a state property, with the codec type only, it applies to that field. The
/// source generator reads it at compile time; nothing is looked up by reflection at run time.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Property, AllowMultiple = true)]
public sealed class FieldCodecAttribute : Attribute
{
    /// <summary>For a state property: the codec that stores this field.</summary>
    /// <param name="codecType">A type implementing <see cref="IFieldCodec{T}"/> for the property's type.</param>
    public FieldCodecAttribute(Type codecType)
    {
        CodecType = codecType;
    }

    /// <summary>For an assembly: the codec that stores every field (and collection item) of <paramref name="valueType"/>.</summary>
    /// <param name="valueType">The stored type.</param>
    /// <param name="codecType">A type implementing <see cref="IFieldCodec{T}"/> for <paramref name="valueType"/>.</param>
    public FieldCodecAttribute(Type valueType, Type codecType)
    {
        ValueType = valueType;
        CodecType = codecType;
    }

    /// <summary>The stored type (assembly registrations), or null (property registrations).</summary>
    public Type? ValueType { get; }

    /// <summary>The codec.</summary>
    public Type CodecType { get; }
}
