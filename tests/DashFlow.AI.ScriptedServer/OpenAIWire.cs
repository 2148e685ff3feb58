using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DashFlow.AI.ScriptedServer;

/// <summary>
/// Writes the JSON bodies of OpenAI's chat-completions and embeddings API: <c>chat.completion</c>,
/// <c>chat.completion.chunk</c>, the embeddings <c>list</c> and the <c>error</c> object.
/// </summary>
internal static class OpenAIWire
{
    // Minimal escaping, as OpenAI sends it: messages stay readable where clients print the raw body (an SDK exception's
    // message shows the error JSON as received).
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The text and tool calls of one assistant answer, ready to be written.</summary>
    public sealed record Answer(
        string Id,
        long Created,
        string Model,
        string? Content,
        IReadOnlyList<(string Id, string Name, string Arguments)> ToolCalls,
        int PromptTokens,
        int CompletionTokens)
    {
        public string FinishReason => ToolCalls.Count > 0 ? "tool_calls" : "stop";
    }

    public static byte[] Completion(Answer answer) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, answer, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        WriteNullableString(w, "content", answer.Content);
        w.WriteNull("refusal");
        if (answer.ToolCalls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var (id, name, arguments) in answer.ToolCalls)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                w.WriteString("arguments", arguments);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", answer.FinishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, answer);
        w.WriteEndObject();
    });

    /// <summary>
    /// The chunks of a streamed answer, each one event's data: a first chunk with the role, the content in pieces, each
    /// tool call's id and name and then its arguments in pieces, a chunk with the finish reason and, when the request
    /// asked for it, a last chunk with no choices and the usage.
    /// </summary>
    public static List<byte[]> Chunks(Answer answer, bool includeUsage)
    {
        var chunks = new List<byte[]>
        {
            Chunk(answer, includeUsage, w =>
            {
                w.WriteString("role", "assistant");
                WriteNullableString(w, "content", answer.ToolCalls.Count > 0 ? null : "");
                w.WriteNull("refusal");
            }),
        };

        foreach (var piece in TextChunker.Tokens(answer.Content ?? ""))
        {
            chunks.Add(Chunk(answer, includeUsage, w => w.WriteString("content", piece)));
        }

        for (var index = 0; index < answer.ToolCalls.Count; index++)
        {
            var (id, name, arguments) = answer.ToolCalls[index];
            var callIndex = index;
            chunks.Add(Chunk(answer, includeUsage, w => WriteToolCallDelta(w, callIndex, id, name, "")));
            foreach (var piece in TextChunker.Fixed(arguments))
            {
                chunks.Add(Chunk(answer, includeUsage, w => WriteToolCallDelta(w, callIndex, null, null, piece)));
            }
        }

        chunks.Add(Chunk(answer, includeUsage, _ => { }, answer.FinishReason));
        if (includeUsage)
        {
            chunks.Add(Write(w =>
            {
                w.WriteStartObject();
                WriteHeader(w, answer, "chat.completion.chunk");
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, answer);
                w.WriteEndObject();
            }));
        }

        return chunks;
    }

    public static byte[] Error(string message, string type, string? code, string? param = null) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", type);
        WriteNullableString(w, "param", param);
        WriteNullableString(w, "code", code);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>An embeddings <c>list</c>; vectors as arrays of numbers, or as base64 of little-endian float32s.</summary>
    public static byte[] Embeddings(string model, IReadOnlyList<float[]> vectors, bool base64, int promptTokens) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        for (var i = 0; i < vectors.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("object", "embedding");
            w.WriteNumber("index", i);
            if (base64)
            {
                var bytes = new byte[vectors[i].Length * sizeof(float)];
                for (var j = 0; j < vectors[i].Length; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vectors[i][j]);
                }

                w.WriteBase64String("embedding", bytes);
            }
            else
            {
                w.WriteStartArray("embedding");
                foreach (var value in vectors[i])
                {
                    w.WriteNumberValue(value);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("model", model);
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteNumber("total_tokens", promptTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Chunk(Answer answer, bool includeUsage, Action<Utf8JsonWriter> writeDelta, string? finishReason = null) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, answer, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        writeDelta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        WriteNullableString(w, "finish_reason", finishReason);
        w.WriteEndObject();
        w.WriteEndArray();

        // With include_usage, every chunk but the last carries "usage": null.
        if (includeUsage)
        {
            w.WriteNull("usage");
        }

        w.WriteEndObject();
    });

    private static void WriteToolCallDelta(Utf8JsonWriter w, int index, string? id, string? name, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (id is not null)
        {
            w.WriteString("id", id);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteHeader(Utf8JsonWriter w, Answer answer, string objectType)
    {
        w.WriteString("id", answer.Id);
        w.WriteString("object", objectType);
        w.WriteNumber("created", answer.Created);
        w.WriteString("model", answer.Model);
        w.WriteNull("system_fingerprint");
    }

    private static void WriteUsage(Utf8JsonWriter w, Answer answer)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", answer.PromptTokens);
        w.WriteNumber("completion_tokens", answer.CompletionTokens);
        w.WriteNumber("total_tokens", answer.PromptTokens + answer.CompletionTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
