using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>How <see cref="ReactAgent"/> behaves.</summary>
public sealed record ReactAgentOptions
{
    /// <summary>The default of <see cref="MaxIterations"/>: ten model calls per user message.</summary>
    public const int DefaultMaxIterations = 10;

    /// <summary>Sent as a system message before the conversation on every model call (not stored in the state).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>
    /// The most model calls the agent makes for one user message. When the last allowed call still asks for tools, the
    /// agent stops with an assistant message that says so (<see cref="ReactAgent.IsIterationLimitStop"/>) instead of
    /// running them. Each iteration takes two supersteps: keep <see cref="RunConfig.RecursionLimit"/> above twice this.
    /// </summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>
    /// Whether a human approves tool calls before they run. The tools node then calls
    /// <see cref="NodeContext.Interrupt{TAnswer}"/>, so the graph needs a checkpointer and a thread id. Resume with
    /// <c>true</c> to run the calls, <c>false</c> to refuse them, or a text to refuse them with that reason for the model.
    /// </summary>
    public bool RequireApproval { get; init; }

    /// <summary>With <see cref="RequireApproval"/>: the tools that need approval; every tool when null.</summary>
    public IReadOnlyCollection<string>? ToolsRequiringApproval { get; init; }

    /// <summary>Options for every model call (temperature, model id, ...); the agent sets <see cref="ChatOptions.Tools"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Options for compiling the graph: a checkpointer (needed for approval), a time provider, a name.</summary>
    public CompileOptions? CompileOptions { get; init; }

    /// <summary>The name of the node that calls the model.</summary>
    public string AgentNodeName { get; init; } = "agent";

    /// <summary>The name of the node that runs the tools.</summary>
    public string ToolsNodeName { get; init; } = "tools";
}
