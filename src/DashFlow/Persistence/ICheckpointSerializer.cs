namespace DashFlow.Persistence;

/// <summary>
/// Turns the values a checkpoint holds (state fields, update fields, Send arguments, interrupt values and answers) into
/// bytes and back. The engine calls it for the fields that changed only.
/// </summary>
public interface ICheckpointSerializer
{
    /// <summary>Serializes a value of a known type (a state field).</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">Its declared type.</param>
    /// <returns>The bytes.</returns>
    byte[] Serialize(object? value, Type type);

    /// <summary>Reads back a value written by <see cref="Serialize"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="type">The declared type.</param>
    /// <returns>The value.</returns>
    object? Deserialize(ReadOnlyMemory<byte> data, Type type);

    /// <summary>Serializes a value of any type, recording the type (Send arguments, interrupt values, answers).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bytes.</returns>
    byte[] SerializeAny(object? value);

    /// <summary>Reads back a value written by <see cref="SerializeAny"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The value.</returns>
    object? DeserializeAny(ReadOnlyMemory<byte> data);
}
