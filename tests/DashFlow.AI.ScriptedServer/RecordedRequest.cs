using System.Text.Json;

namespace DashFlow.AI.ScriptedServer;

/// <summary>One HTTP request a <see cref="ScriptedOpenAIServer"/> received, with the parts of its body tests look at.</summary>
/// <param name="Path">The request path, such as <c>/v1/chat/completions</c>.</param>
/// <param name="Model">The body's <c>model</c>; empty when the body has none.</param>
/// <param name="Stream">The body's <c>stream</c>.</param>
/// <param name="Body">The body as text.</param>
/// <param name="Json">The parsed body; an empty object when the body is not JSON.</param>
/// <param name="Authorization">The <c>Authorization</c> header as sent (<c>Bearer ...</c>), or null.</param>
/// <param name="Messages">The body's <c>messages</c>, in order.</param>
/// <param name="ToolNames">The function names of the body's <c>tools</c>, in order.</param>
/// <param name="ResponseFormatType">The body's <c>response_format.type</c> (<c>json_schema</c>, <c>json_object</c>, <c>text</c>), or null.</param>
public sealed record RecordedRequest(
    string Path,
    string Model,
    bool Stream,
    string Body,
    JsonDocument Json,
    string? Authorization,
    IReadOnlyList<RecordedMessage> Messages,
    IReadOnlyList<string> ToolNames,
    string? ResponseFormatType);
