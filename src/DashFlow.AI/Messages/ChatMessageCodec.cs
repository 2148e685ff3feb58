using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DashFlow.Persistence;
using Microsoft.Extensions.AI;

[assembly: FieldCodec(typeof(ChatMessage), typeof(DashFlow.AI.ChatMessageCodec))]

namespace DashFlow.AI;

/// <summary>
/// Stores <see cref="ChatMessage"/>s in checkpoints as JSON with <see cref="AIJsonUtilities.DefaultOptions"/>, so text,
/// function calls and results, usage and the other <see cref="AIContent"/> kinds round-trip. Registered for every state
/// field of type <see cref="ChatMessage"/> (and collections of it) by an assembly <see cref="FieldCodecAttribute"/>.
/// </summary>
/// <remarks>
/// What JSON cannot carry is not kept: <see cref="ChatMessage.RawRepresentation"/>, exceptions on function calls and
/// results, and values inside <see cref="ChatMessage.AdditionalProperties"/> or function arguments come back as
/// <see cref="JsonElement"/>s.
/// </remarks>
public sealed class ChatMessageCodec : IFieldCodec<ChatMessage>
{
    private static JsonTypeInfo<ChatMessage> TypeInfo =>
        (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

    /// <inheritdoc/>
    public static void Write(IBufferWriter<byte> output, ChatMessage value)
    {
        using var writer = new Utf8JsonWriter(output);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, TypeInfo);
        }
    }

    /// <inheritdoc/>
    public static ChatMessage Read(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize(data, TypeInfo)!;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"A stored chat message is not valid JSON for ChatMessage: {e.Message}", e);
        }
    }
}
