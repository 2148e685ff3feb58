namespace DashFlow.AI.ScriptedServer;

/// <summary>One entry of a recorded request's <c>messages</c>.</summary>
/// <param name="Role">The role: <c>system</c>, <c>developer</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Content">The text content; text parts of a multi-part content joined; null when the message has none.</param>
/// <param name="ToolCallId">For a <c>tool</c> message, the id of the call it answers.</param>
/// <param name="ToolCalls">For an <c>assistant</c> message, the tool calls it made (id, function name, arguments JSON).</param>
public sealed record RecordedMessage(
    string Role,
    string? Content,
    string? ToolCallId,
    IReadOnlyList<(string Id, string Name, string Arguments)> ToolCalls);
