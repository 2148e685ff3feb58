using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// A prebuilt ReAct agent over <see cref="MessagesState"/>: the model answers or asks for tools, the tools run (in
/// parallel; failures become error results the model reads), and the model is called again, until it answers without
/// tools or <see cref="ReactAgentOptions.MaxIterations"/> is reached. Optionally a human approves tool calls first.
/// </summary>
/// <example><code>
/// var agent = ReactAgent.Create(llm, [AIFunctionFactory.Create(Calculator.Add)], new() { SystemPrompt = "Be brief." });
/// var final = await agent.InvokeAsync(new MessagesState { Messages = [new(ChatRole.User, "What is 2 + 3?")] });
/// Console.WriteLine(final.Messages[^1].Text);
/// </code></example>
public static class ReactAgent
{
    /// <summary>The <see cref="ChatMessage.AdditionalProperties"/> key on the message the agent stops with at its iteration limit.</summary>
    public const string StopReasonKey = "dashflow.stop_reason";

    /// <summary>The <see cref="StopReasonKey"/> value for the iteration limit.</summary>
    public const string IterationLimitReason = "max_iterations";

    /// <summary>Builds and compiles the agent.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="tools">The tools (none is allowed: the agent then only chats).</param>
    /// <param name="options">System prompt, iteration limit, approval, compile options.</param>
    /// <returns>The compiled graph.</returns>
    public static CompiledGraph<MessagesState> Create(IChatClient chatClient, IEnumerable<AIFunction> tools, ReactAgentOptions? options = null)
    {
        options ??= new ReactAgentOptions();
        return CreateBuilder(chatClient, tools, options).Compile(options.CompileOptions);
    }

    /// <summary>Builds the agent's graph without compiling it, to add nodes or edges of your own first.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="tools">The tools.</param>
    /// <param name="options">System prompt, iteration limit, approval.</param>
    /// <returns>The builder, with nodes <see cref="ReactAgentOptions.AgentNodeName"/> and <see cref="ReactAgentOptions.ToolsNodeName"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ReactAgentOptions.MaxIterations"/> is below 1.</exception>
    public static StateGraph<MessagesState> CreateBuilder(IChatClient chatClient, IEnumerable<AIFunction> tools, ReactAgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tools);
        options ??= new ReactAgentOptions();
        if (options.MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, $"ReactAgentOptions.MaxIterations is {options.MaxIterations}; the agent needs at least one model call.");
        }

        var toolNode = new ToolNode(tools);
        var client = DashFlowChatClientBuilderExtensions.WithModelErrors(chatClient);
        var agent = options.AgentNodeName;
        var toolsName = options.ToolsNodeName;
        return new StateGraph<MessagesState>(options.CompileOptions?.Name ?? "ReactAgent")
            .AddNode(agent, (state, context) => CallModelAsync(client, toolNode, options, state, context))
            .AddNode(toolsName, (state, context) => RunToolsAsync(toolNode, options, state, context))
            .AddEdge(Graph.Start, agent)
            .AddConditionalEdges(agent, s => ToolNode.PendingCalls(s.Messages).Count > 0 ? toolsName : Graph.End, [toolsName, Graph.End])
            .AddEdge(toolsName, agent);
    }

    /// <summary>Whether <paramref name="message"/> is the message the agent stopped with at its iteration limit.</summary>
    /// <param name="message">The message (usually the last of the final state).</param>
    /// <returns>True for the iteration-limit stop.</returns>
    public static bool IsIterationLimitStop(ChatMessage message) =>
        message?.AdditionalProperties?.TryGetValue(StopReasonKey, out var reason) == true
        && (reason as string ?? (reason is JsonElement { ValueKind: JsonValueKind.String } e ? e.GetString() : null)) == IterationLimitReason;

    private static async ValueTask<NodeResult<MessagesState>> CallModelAsync(IChatClient client, ToolNode tools, ReactAgentOptions options, MessagesState state, NodeContext context)
    {
        using var scope = ChatNodeScope.Enter(context);
        var calls = ModelCallsThisTurn(state.Messages) + 1;
        IEnumerable<ChatMessage> messages = options.SystemPrompt is { Length: > 0 } prompt
            ? [new ChatMessage(ChatRole.System, prompt), .. state.Messages]
            : state.Messages;
        var chatOptions = options.ChatOptions?.Clone() ?? new ChatOptions();
        if (tools.Tools.Count > 0)
        {
            chatOptions.Tools = [.. chatOptions.Tools ?? [], .. tools.Tools.Values];
        }

        var response = await client.GetResponseAsync(messages, chatOptions, context.CancellationToken).ConfigureAwait(false);
        var answer = response.Messages;
        var wanted = answer.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).ToList();
        if (wanted.Count > 0 && calls >= options.MaxIterations)
        {
            // Running the tools would need another model call to use their results; stop with a history that stays valid.
            return new MessagesState.Update { Messages = [IterationLimitMessage(options.MaxIterations, wanted)] };
        }

        return new MessagesState.Update { Messages = [.. answer] };
    }

    private static async ValueTask<NodeResult<MessagesState>> RunToolsAsync(ToolNode tools, ReactAgentOptions options, MessagesState state, NodeContext context)
    {
        var calls = ToolNode.PendingCalls(state.Messages);
        if (!options.RequireApproval || calls.Count == 0)
        {
            return await tools.RunAsync(state, context).ConfigureAwait(false);
        }

        var needApproval = calls.Where(c => options.ToolsRequiringApproval is not { } names || names.Contains(c.Name)).ToList();
        string? refusal = null;
        if (needApproval.Count > 0)
        {
            // Runs again from here on resume: nothing before this line has effects.
            var answer = context.Interrupt<object?>(ApprovalQuestion(needApproval));
            refusal = Refusal(answer);
        }

        using var scope = ChatNodeScope.Enter(context);
        List<FunctionCallContent> approved = refusal is null ? [.. calls] : [.. calls.Except(needApproval)];
        var ran = await tools.InvokeAsync(approved, context.CancellationToken).ConfigureAwait(false);
        var results = calls.Select(call =>
        {
            var index = approved.IndexOf(call);
            return index >= 0 ? ran[index] : new ChatMessage(ChatRole.Tool, [ToolNode.ErrorResult(call, $"a person refused the call to '{call.Name}': {refusal}")]);
        });
        return new MessagesState.Update { Messages = [.. results] };
    }

    /// <summary>Null when the answer approves; otherwise the reason for the model.</summary>
    private static string? Refusal(object? answer) => answer switch
    {
        true => null,
        false or null => "not approved.",
        string text when text.Trim().ToLowerInvariant() is "yes" or "y" or "approve" or "approved" or "true" or "ok" => null,
        string text => text,
        _ => throw new ArgumentException($"The answer to the tool approval is a {answer.GetType().Name}; resume with true (run the tools), false (refuse them) or a text (refuse them with that reason)."),
    };

    private static string ApprovalQuestion(IReadOnlyList<FunctionCallContent> calls)
    {
        var text = new StringBuilder("Approve these tool calls? Resume with true to run them, false or a reason to refuse.");
        foreach (var call in calls)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- {call.Name}({Arguments(call)})");
        }

        return text.ToString();
    }

    private static string Arguments(FunctionCallContent call) =>
        call.Arguments is null ? "" : string.Join(", ", call.Arguments.Select(a => $"{a.Key}: {a.Value}"));

    private static ChatMessage IterationLimitMessage(int limit, IReadOnlyList<FunctionCallContent> wanted) =>
        new(ChatRole.Assistant,
            $"Stopped after {limit} model calls without a final answer (the limit, ReactAgentOptions.MaxIterations); the model still asked for: " +
            string.Join(", ", wanted.Select(c => $"{c.Name}({Arguments(c)})")) + ".")
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [StopReasonKey] = IterationLimitReason },
        };

    private static int ModelCallsThisTurn(IReadOnlyList<ChatMessage> messages)
    {
        var count = 0;
        for (var i = messages.Count - 1; i >= 0 && messages[i].Role != ChatRole.User; i--)
        {
            if (messages[i].Role == ChatRole.Assistant)
            {
                count++;
            }
        }

        return count;
    }
}
