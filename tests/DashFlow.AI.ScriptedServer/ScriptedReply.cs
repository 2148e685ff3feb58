namespace DashFlow.AI.ScriptedServer;

/// <summary>
/// One scripted answer of a <see cref="ScriptedOpenAIServer"/> to one chat-completions request. Create replies with the
/// factory methods; each is sent as a <c>chat.completion</c> object, or as <c>chat.completion.chunk</c> server-sent events
/// when the request asked for a stream.
/// </summary>
public abstract record ScriptedReply
{
    // Only the kinds below exist: the server knows how to put each of them on the wire.
    private protected ScriptedReply()
    {
    }

    /// <summary>An assistant message with <paramref name="text"/> as its content and finish reason <c>stop</c>.</summary>
    /// <param name="text">The content; streamed in several chunks when the request asks for a stream.</param>
    /// <param name="promptTokens">Reported as <c>usage.prompt_tokens</c>.</param>
    /// <param name="completionTokens">Reported as <c>usage.completion_tokens</c>.</param>
    public static ScriptedReply Text(string text, int promptTokens = 10, int completionTokens = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(completionTokens);
        return new TextReply(text, promptTokens, completionTokens);
    }

    /// <summary>
    /// An assistant message that calls tools, with finish reason <c>tool_calls</c>. The server gives the calls the ids
    /// <c>call_1</c>, <c>call_2</c>, ... in the order it sends them, counting over its whole life.
    /// </summary>
    /// <param name="calls">Each tool's function name and its arguments as JSON text (sent as-is, not checked).</param>
    public static ScriptedReply ToolCalls(params (string Name, string ArgumentsJson)[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("A tool-call reply needs at least one call.", nameof(calls));
        }

        for (var i = 0; i < calls.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(calls[i].Name))
            {
                throw new ArgumentException($"Tool call {i} has no function name.", nameof(calls));
            }

            ArgumentNullException.ThrowIfNull(calls[i].ArgumentsJson, $"{nameof(calls)}[{i}].ArgumentsJson");
        }

        return new ToolCallsReply([.. calls]);
    }

    /// <summary>
    /// An assistant message whose content is <paramref name="json"/>, as a model answers a request with
    /// <c>response_format</c> <c>json_schema</c> or <c>json_object</c>. The text is sent as-is, not checked.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    public static ScriptedReply Json(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new TextReply(json, 10, 5);
    }

    /// <summary>An HTTP error with OpenAI's error JSON body (<c>{"error": {"message", "type", "param", "code"}}</c>).</summary>
    /// <param name="status">The HTTP status code, 400 to 599.</param>
    /// <param name="retryAfter">
    /// When given, sent as <c>Retry-After</c> (whole seconds, rounded up) and <c>retry-after-ms</c>.
    /// </param>
    /// <param name="message">The error message; a message that names the status when omitted.</param>
    public static ScriptedReply Status(int status, TimeSpan? retryAfter = null, string? message = null)
    {
        if (status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, $"An error reply needs a status from 400 to 599; {status} is not one.");
        }

        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "Retry-After cannot be negative.");
        }

        return new StatusReply(status, retryAfter, message);
    }

    /// <summary>
    /// Accepts the request and never answers: the request stays open until the client gives up (a timeout or a
    /// cancelled token closes the connection) or the server is disposed.
    /// </summary>
    public static ScriptedReply Hang() => HangReply.Instance;

    /// <summary>Status 200 with a body that is not valid JSON (for a stream: an event whose data is not valid JSON).</summary>
    public static ScriptedReply Malformed() => MalformedReply.Instance;

    /// <summary>Status 404 with OpenAI's <c>model_not_found</c> error, naming the model the request asked for.</summary>
    public static ScriptedReply UnknownModel() => UnknownModelReply.Instance;

    internal sealed record TextReply(string Content, int PromptTokens, int CompletionTokens) : ScriptedReply;

    internal sealed record ToolCallsReply(IReadOnlyList<(string Name, string ArgumentsJson)> Calls) : ScriptedReply;

    internal sealed record StatusReply(int Code, TimeSpan? RetryAfter, string? Message) : ScriptedReply;

    internal sealed record HangReply : ScriptedReply
    {
        public static readonly HangReply Instance = new();
    }

    internal sealed record MalformedReply : ScriptedReply
    {
        public static readonly MalformedReply Instance = new();
    }

    internal sealed record UnknownModelReply : ScriptedReply
    {
        public static readonly UnknownModelReply Instance = new();
    }
}
