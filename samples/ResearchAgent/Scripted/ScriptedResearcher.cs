using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DashFlow.AI.ScriptedServer;
using ResearchAgent.Tools;

namespace ResearchAgent.Scripted;

/// <summary>
/// Plays the model on the scripted server when no real one is configured. It understands no language; it follows one
/// fixed path so that the real tools still run and the answer reflects what they returned:
/// <list type="number">
/// <item>it asks <c>search_notes</c> for the question;</item>
/// <item>it asks <c>calculate</c> for the first number of the best passage divided by the first number of the question,
/// or, when the question has none, by the passage's second number (with too few numbers it skips this step);</item>
/// <item>it answers with a text that quotes the passage and the calculator's result, read from the tool messages the
/// request carries.</item>
/// </list>
/// Stateless: every decision is read from the request, as a model reads the conversation.
/// </summary>
internal static partial class ScriptedResearcher
{
    /// <summary>The reply to one chat request; set as <see cref="ScriptedOpenAIServer.Responder"/>.</summary>
    public static ScriptedReply Reply(RecordedRequest request)
    {
        var turnStart = LastIndex(request.Messages, m => m.Role == "user");
        var question = turnStart >= 0 ? request.Messages[turnStart].Content ?? "" : "";
        var turn = request.Messages.Skip(turnStart + 1).ToList();
        var calls = turn.SelectMany(m => m.ToolCalls).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var results = turn.Where(m => m.Role == "tool" && m.ToolCallId is not null && calls.ContainsKey(m.ToolCallId))
            .Select(m => (Call: calls[m.ToolCallId!], Text: ToolText(m.Content)))
            .ToList();

        var search = results.LastOrDefault(r => r.Call.Name == ResearchTools.SearchNotesName);
        if (search.Text is null)
        {
            return ScriptedReply.ToolCalls((ResearchTools.SearchNotesName, Arguments("query", question)));
        }

        var best = BestPassage(search.Text);
        var calculation = results.LastOrDefault(r => r.Call.Name == ResearchTools.CalculateName);
        if (calculation.Text is null && best is not null && Expression(question, best.Value.Text) is { } expression)
        {
            return ScriptedReply.ToolCalls((ResearchTools.CalculateName, Arguments("expression", expression)));
        }

        var answer = Answer(search.Text, best, calculation.Text is null ? null : (Argument(calculation.Call.Arguments, "expression"), calculation.Text));

        // Rough counts (four characters a token), so that the usage line has something to add up.
        return ScriptedReply.Text(answer, promptTokens: request.Body.Length / 4, completionTokens: Math.Max(1, answer.Length / 4));
    }

    /// <summary>The numbers in <paramref name="text"/>, in order; "149,600,000" is one number.</summary>
    internal static IReadOnlyList<decimal> Numbers(string text) =>
        [.. NumberPattern().Matches(text).Select(m => decimal.Parse(m.Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture))];

    /// <summary>The expression step 2 asks for, or null when the numbers do not allow one.</summary>
    internal static string? Expression(string question, string passage)
    {
        var fromNotes = Numbers(passage);
        var fromQuestion = Numbers(question);
        return fromNotes.Count switch
        {
            0 => null,
            _ when fromQuestion.Count > 0 => $"{Number(fromNotes[0])} / {Number(fromQuestion[0])}",
            >= 2 => $"{Number(fromNotes[0])} / {Number(fromNotes[1])}",
            _ => null,
        };
    }

    private static string Answer(string searchResult, (string File, string Text)? best, (string? Expression, string Result)? calculation)
    {
        if (best is not { } passage)
        {
            return $"The notes do not answer this. The search said: {searchResult}";
        }

        var answer = $"From the notes ({passage.File}): \"{passage.Text}\"";
        return calculation switch
        {
            null => answer + " There was nothing to calculate.",
            { Result: var error } when error.StartsWith("Error:", StringComparison.Ordinal) => answer + $" The calculator could not compute {calculation.Value.Expression}: {error}",
            { Expression: var expression, Result: var result } => answer + $" The calculator gives {expression} = {result}.",
        };
    }

    /// <summary>The first <c>[file] text</c> line of a <c>search_notes</c> result.</summary>
    private static (string File, string Text)? BestPassage(string searchResult)
    {
        var match = PassagePattern().Match(searchResult);
        return match.Success ? (match.Groups["file"].Value, match.Groups["text"].Value.Trim()) : null;
    }

    /// <summary>A tool message's text; a result the client sent as a JSON string is unwrapped.</summary>
    private static string ToolText(string? content)
    {
        if (content is ['"', .., '"'])
        {
            try
            {
                return JsonSerializer.Deserialize<string>(content) ?? "";
            }
            catch (JsonException)
            {
                return content;
            }
        }

        return content ?? "";
    }

    private static string Arguments(string name, string value) => new JsonObject { [name] = value }.ToJsonString();

    private static string? Argument(string argumentsJson, string name)
    {
        try
        {
            return JsonNode.Parse(argumentsJson)?[name]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static int LastIndex(IReadOnlyList<RecordedMessage> messages, Func<RecordedMessage, bool> predicate)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (predicate(messages[i]))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\[(?<file>[^\]\r\n]+)\] (?<text>.+)$", RegexOptions.Multiline)]
    private static partial Regex PassagePattern();
}
