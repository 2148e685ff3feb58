using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// Turns what the model SDKs throw (a <see cref="ClientResultException"/> with a status, a network timeout, a body that is
/// not JSON) into a <see cref="ModelCallException"/> naming the node, the model and the HTTP status, with the service's
/// own error message and its <c>Retry-After</c>. <see cref="ChatClientFactory"/> adds it to every client it builds; add it
/// to a client of your own with <see cref="DashFlowChatClientBuilderExtensions.UseModelErrors"/>.
/// </summary>
public sealed class ModelErrorChatClient : DelegatingChatClient
{
    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that calls the model.</param>
    public ModelErrorChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, options, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e) when (Translate(e, options, cancellationToken) is { } translated)
        {
            throw translated;
        }

        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception e) when (Translate(e, options, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                yield return updates.Current;
            }
        }
    }

    /// <summary>The model a call goes to: the options' model, else the client's default model.</summary>
    internal static string? ModelOf(IChatClient client, ChatOptions? options) =>
        options?.ModelId ?? (client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;

    /// <summary>Where a call came from, for messages: <c>node 'agent' (step 2)</c>, or that no node is known.</summary>
    internal static string Origin(NodeContext? node) =>
        node is { } n ? string.Create(CultureInfo.InvariantCulture, $"called from node '{n.Node}' (step {n.Step})") : "called outside a graph node";

    private ModelCallException? Translate(Exception e, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (e is ModelCallException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return null;
        }

        var node = ChatNodeScope.Current;
        var model = ModelOf(InnerClient, options);
        var where = $"Model '{model ?? "(unknown)"}' ({Origin(node)})";
        switch (e)
        {
            case ClientResultException result when result.Status != 0:
            {
                var status = result.Status;
                var response = result.GetRawResponse();
                var retryAfter = RetryAfterOf(response);
                var detail = ServiceMessage(response) ?? FirstLine(result.Message);
                var reason = ReasonPhrase(status);
                var wait = retryAfter is { } r ? string.Create(CultureInfo.InvariantCulture, $" The service asked to retry after {r.TotalSeconds:0.###} s.") : "";
                return new ModelCallException($"{where} failed with HTTP {status}{reason}: {detail}{wait}", ModelCallFailure.HttpError, node?.Node, model, status, retryAfter, e);
            }

            case OperationCanceledException:
                return new ModelCallException($"{where} timed out: no complete answer came before the client's network timeout.", ModelCallFailure.Timeout, node?.Node, model, null, null, e);

            case HttpRequestException or ClientResultException:
                return new ModelCallException($"{where} could not be reached: {e.Message}", ModelCallFailure.Unreachable, node?.Node, model, null, null, e);

            case JsonException:
                return new ModelCallException($"{where} answered with a body that is not a valid chat completion ({e.GetType().Name}: {FirstLine(e.Message)}).", ModelCallFailure.MalformedResponse, node?.Node, model, null, null, e);

            default:
                return null;
        }
    }

    private static TimeSpan? RetryAfterOf(System.ClientModel.Primitives.PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        // Milliseconds first (OpenAI sends retry-after-ms), then Retry-After as seconds or as an HTTP date.
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (!response.Headers.TryGetValue("Retry-After", out var text) || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero
            : null;
    }

    private static string? ServiceMessage(System.ClientModel.Primitives.PipelineResponse? response)
    {
        try
        {
            if (response?.Content is not { } content || content.ToMemory().IsEmpty)
            {
                return null;
            }

            using var json = JsonDocument.Parse(content.ToMemory());
            return json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A streamed response whose content was not buffered.
            return null;
        }
    }

    private static string ReasonPhrase(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? " " + SplitWords(((HttpStatusCode)status).ToString()) : "";

    private static string SplitWords(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).Trim();
    }
}
