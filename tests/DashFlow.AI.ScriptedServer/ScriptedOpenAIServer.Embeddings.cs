using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DashFlow.AI.ScriptedServer;

public sealed partial class ScriptedOpenAIServer
{
    /// <summary>The length of the vectors <c>/v1/embeddings</c> returns when the request sets no <c>dimensions</c>.</summary>
    public const int DefaultEmbeddingDimensions = 8;

    /// <summary>
    /// The vector <c>/v1/embeddings</c> returns for <paramref name="text"/>: derived from a SHA-256 hash of the text's
    /// UTF-8 bytes, with components in [-1, 1] scaled to length 1. Equal texts get equal vectors on every machine;
    /// different texts get unrelated ones.
    /// </summary>
    /// <param name="text">The input text.</param>
    /// <param name="dimensions">The vector's length.</param>
    public static float[] EmbeddingFor(string text, int dimensions = DefaultEmbeddingDimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var vector = new float[dimensions];
        var bytes = Encoding.UTF8.GetBytes(text);
        var seed = new byte[bytes.Length + sizeof(int)];
        bytes.CopyTo(seed, 0);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];

        // Eight components per hash; a block counter appended to the text yields more for longer vectors.
        for (var block = 0; block * 8 < dimensions; block++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(seed.AsSpan(bytes.Length), block);
            SHA256.HashData(seed, hash);
            for (var i = 0; i < 8 && block * 8 + i < dimensions; i++)
            {
                var value = BinaryPrimitives.ReadUInt32LittleEndian(hash[(i * 4)..]);
                vector[block * 8 + i] = (float)(value / (double)uint.MaxValue * 2 - 1);
            }
        }

        var length = MathF.Sqrt(vector.Sum(v => v * v));
        if (length > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= length;
            }
        }

        return vector;
    }

    private static async Task HandleEmbeddingsAsync(HttpContext context, RecordedRequest request, int number)
    {
        var root = request.Json.RootElement;
        var inputs = new List<string>();
        if (root.TryGetProperty("input", out var input))
        {
            switch (input.ValueKind)
            {
                case JsonValueKind.String:
                    inputs.Add(input.GetString()!);
                    break;
                case JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number):
                    // One input given as token ids: hash their text.
                    inputs.Add(input.GetRawText());
                    break;
                case JsonValueKind.Array:
                    foreach (var item in input.EnumerateArray())
                    {
                        inputs.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                    }

                    break;
            }
        }

        if (inputs.Count == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                $"Embeddings request #{number} has no 'input': give a string or a non-empty array of strings.",
                "invalid_request_error", null, "input").ConfigureAwait(false);
            return;
        }

        var dimensions = DefaultEmbeddingDimensions;
        if (root.TryGetProperty("dimensions", out var requested) && requested.ValueKind != JsonValueKind.Null)
        {
            if (requested.ValueKind != JsonValueKind.Number || !requested.TryGetInt32(out dimensions) || dimensions < 1)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                    $"Embeddings request #{number} asks for dimensions {requested.GetRawText()}; give a whole number of at least 1.",
                    "invalid_request_error", null, "dimensions").ConfigureAwait(false);
                return;
            }
        }

        // The OpenAI SDK asks for base64 (little-endian float32s); other clients get the default, arrays of numbers.
        var base64 = root.TryGetProperty("encoding_format", out var format) && format.ValueKind == JsonValueKind.String
            && format.GetString() == "base64";
        var vectors = inputs.Select(text => EmbeddingFor(text, dimensions)).ToList();
        var tokens = inputs.Sum(text => Math.Max(1, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length));

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(OpenAIWire.Embeddings(request.Model, vectors, base64, tokens), context.RequestAborted).ConfigureAwait(false);
    }
}
