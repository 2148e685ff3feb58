using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// Runs the tool calls of the last assistant message, in parallel, and answers each with a tool message. A tool that
/// throws, a call naming an unknown tool, or arguments that do not parse become an error result the model can read and
/// recover from, not a failed run. Tools are <see cref="AIFunction"/>s, such as <c>AIFunctionFactory.Create(method)</c>.
/// </summary>
/// <example><code>
/// var tools = new ToolNode([AIFunctionFactory.Create(Add), AIFunctionFactory.Create(SearchNotes)]);
/// var graph = new StateGraph&lt;MessagesState&gt;().AddNode("tools", tools.RunAsync) ...;
/// </code></example>
public sealed class ToolNode
{
    private readonly Dictionary<string, AIFunction> _tools;

    /// <summary>Creates the node.</summary>
    /// <param name="tools">The tools; names must be unique.</param>
    /// <exception cref="ArgumentException">Two tools share a name.</exception>
    public ToolNode(IEnumerable<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _tools = new Dictionary<string, AIFunction>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            ArgumentNullException.ThrowIfNull(tool, nameof(tools));
            if (!_tools.TryAdd(tool.Name, tool))
            {
                throw new ArgumentException($"Two tools are named '{tool.Name}'; tool names must be unique, because the model calls tools by name.", nameof(tools));
            }
        }
    }

    /// <summary>The tools by name.</summary>
    public IReadOnlyDictionary<string, AIFunction> Tools => _tools;

    /// <summary>The tool calls of the last message when it is an assistant message; empty otherwise.</summary>
    /// <param name="messages">The conversation.</param>
    /// <returns>The calls, in the order the model made them.</returns>
    public static IReadOnlyList<FunctionCallContent> PendingCalls(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Count > 0 && messages[^1].Role == ChatRole.Assistant
            ? [.. messages[^1].Contents.OfType<FunctionCallContent>()]
            : [];
    }

    /// <summary>The node for a <see cref="MessagesState"/> graph: runs the pending calls and appends one tool message per call.</summary>
    /// <param name="state">The state.</param>
    /// <param name="context">The task's context.</param>
    /// <returns>The tool messages, or no update when the last message asks for no tool.</returns>
    public async ValueTask<NodeResult<MessagesState>> RunAsync(MessagesState state, NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        var calls = PendingCalls(state.Messages);
        if (calls.Count == 0)
        {
            return default;
        }

        using var scope = ChatNodeScope.Enter(context);
        var results = await InvokeAsync(calls, context.CancellationToken).ConfigureAwait(false);
        return new MessagesState.Update { Messages = [.. results] };
    }

    /// <summary>Runs <paramref name="calls"/> in parallel; one tool message per call, in the calls' order.</summary>
    /// <param name="calls">The calls.</param>
    /// <param name="cancellationToken">Cancels the tools.</param>
    /// <returns>The tool messages, each holding one <see cref="FunctionResultContent"/>.</returns>
    public async Task<IReadOnlyList<ChatMessage>> InvokeAsync(IReadOnlyList<FunctionCallContent> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var results = await Task.WhenAll(calls.Select(call => InvokeOneAsync(call, cancellationToken))).ConfigureAwait(false);
        return [.. results.Select(r => new ChatMessage(ChatRole.Tool, [r]))];
    }

    /// <summary>An error result the model reads as the call's answer.</summary>
    /// <param name="call">The call.</param>
    /// <param name="message">What went wrong, for the model.</param>
    /// <param name="exception">The exception, kept on the result (not stored in checkpoints).</param>
    /// <returns>The result.</returns>
    public static FunctionResultContent ErrorResult(FunctionCallContent call, string message, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new FunctionResultContent(call.CallId, "Error: " + message) { Exception = exception };
    }

    private async Task<FunctionResultContent> InvokeOneAsync(FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            return ErrorResult(call, $"there is no tool named '{call.Name}'. The tools are: {string.Join(", ", _tools.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (call.Exception is { } parseError)
        {
            return ErrorResult(call, $"the arguments of the call to '{call.Name}' are not valid JSON ({parseError.InnerException?.Message ?? parseError.Message}). Send a JSON object matching the tool's parameters.", parseError);
        }

        try
        {
            // Tools run off the caller's thread so that a synchronous tool does not hold up its siblings.
            var result = await Task.Run(async () => await tool.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new FunctionResultContent(call.CallId, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Also where the arguments do not bind to the parameters (a missing or mistyped value): the message says which.
            return ErrorResult(call, $"the tool '{call.Name}' failed: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
