using System.Text;
using System.Text.Json;

namespace DashFlow.AI.ScriptedServer;

/// <summary>Reads the parts of an OpenAI request body that a <see cref="RecordedRequest"/> exposes.</summary>
internal static class RequestReader
{
    /// <summary>Reads a request; <paramref name="isJson"/> tells whether the body was valid JSON.</summary>
    public static RecordedRequest Read(string path, string body, string? authorization, out bool isJson)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
            isJson = true;
        }
        catch (JsonException)
        {
            json = JsonDocument.Parse("{}");
            isJson = false;
        }

        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new RecordedRequest(path, "", false, body, json, authorization, [], [], null);
        }

        return new RecordedRequest(
            path,
            GetString(root, "model") ?? "",
            root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
            body,
            json,
            authorization,
            ReadMessages(root),
            ReadToolNames(root),
            root.TryGetProperty("response_format", out var format) ? GetString(format, "type") : null);
    }

    /// <summary>Whether the request asked for a final chunk with usage (<c>stream_options.include_usage</c>).</summary>
    public static bool IncludesUsage(RecordedRequest request) =>
        request.Json.RootElement.ValueKind == JsonValueKind.Object
        && request.Json.RootElement.TryGetProperty("stream_options", out var options)
        && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage", out var include)
        && include.ValueKind == JsonValueKind.True;

    private static List<RecordedMessage> ReadMessages(JsonElement root)
    {
        var messages = new List<RecordedMessage>();
        if (!root.TryGetProperty("messages", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return messages;
        }

        foreach (var message in array.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var calls = new List<(string, string, string)>();
            if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in toolCalls.EnumerateArray())
                {
                    var function = call.TryGetProperty("function", out var f) ? f : default;
                    calls.Add((GetString(call, "id") ?? "", GetString(function, "name") ?? "", GetString(function, "arguments") ?? ""));
                }
            }

            messages.Add(new RecordedMessage(
                GetString(message, "role") ?? "",
                ReadContent(message),
                GetString(message, "tool_call_id"),
                calls));
        }

        return messages;
    }

    // Content is either a string or an array of parts; only text parts carry text.
    private static string? ReadContent(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return null;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString();
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (GetString(part, "type") == "text")
                    {
                        text.Append(GetString(part, "text"));
                    }
                }

                return text.ToString();
            default:
                return null;
        }
    }

    private static List<string> ReadToolNames(JsonElement root)
    {
        var names = new List<string>();
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("function", out var function)
                    && GetString(function, "name") is { } name)
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
