using System.Text.Json;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// A typed answer from a model inside a node: the model is asked for JSON matching <typeparamref name="T"/>'s schema
/// (<c>response_format: json_schema</c>), and the answer is read into a <typeparamref name="T"/>. An answer that does not
/// fit is a <see cref="StructuredOutputException"/> naming the node, the model, the type and what came back.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
/// <example><code>
/// public sealed record Verdict(string Category, int Urgency);
///
/// var verdict = await StructuredOutput&lt;Verdict&gt;.GetAsync(llm, [new(ChatRole.User, prompt)], cancellationToken: context.CancellationToken);
/// </code></example>
public static class StructuredOutput<T>
{
    /// <summary>Asks the model and reads its answer as a <typeparamref name="T"/>.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="serializerOptions">Where <typeparamref name="T"/>'s contract comes from; <see cref="AIJsonUtilities.DefaultOptions"/> when null (reflection; pass a source-generated context under NativeAOT).</param>
    /// <param name="options">Options for the call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, and the response it came from.</returns>
    /// <exception cref="StructuredOutputException">The answer is not JSON for <typeparamref name="T"/>.</exception>
    public static async Task<(T Result, ChatResponse Response)> GetAsync(
        IChatClient chatClient,
        IEnumerable<ChatMessage> messages,
        JsonSerializerOptions? serializerOptions = null,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(messages);
        var response = await chatClient.GetResponseAsync<T>(messages, serializerOptions ?? AIJsonUtilities.DefaultOptions, options, useJsonSchemaResponseFormat: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return (response.Result, response);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            var model = response.ModelId ?? ModelErrorChatClient.ModelOf(chatClient, options);
            throw new StructuredOutputException(
                $"Model '{model ?? "(unknown)"}' ({ModelErrorChatClient.Origin(ChatNodeScope.Current)}) answered with text that is not JSON for {typeof(T).Name}: {e.Message} The answer was: {Shorten(response.Text)}",
                ChatNodeScope.Current?.Node, model, typeof(T), response.Text, e);
        }
    }

    private static string Shorten(string text) => text.Length <= 500 ? $"'{text}'" : $"'{text[..500]}…' ({text.Length} characters)";
}
