using System.Globalization;
using System.Text.Json;
using DashFlow;
using DashFlow.AI;
using Microsoft.Extensions.AI;
using ResearchAgent.Tools;

namespace ResearchAgent;

/// <summary>
/// Asks the ReAct agent one question and shows the run as it happens: the model's tokens as they stream, each tool call
/// and what the tool returned, then the answer and what the model calls cost.
/// </summary>
internal sealed class ResearchRun(ResearchModel model, NoteSearch notes, ModelPriceTable prices, TextWriter output)
{
    /// <summary>What the agent is told before every model call.</summary>
    public const string SystemPrompt =
        "You are a careful research assistant. Answer from the user's notes only: call search_notes to find the facts, " +
        "and call calculate for every computation instead of doing arithmetic yourself. Name the note files you used. " +
        "Answer in at most four sentences.";

    /// <summary>Runs the agent on <paramref name="question"/>.</summary>
    /// <returns>0 with an answer, 2 when the agent stopped at <paramref name="maxSteps"/> model calls without one.</returns>
    public async Task<int> AskAsync(string question, int maxSteps, CancellationToken cancellationToken)
    {
        var meter = new TokenUsageMeter(prices);

        // Streaming first (outermost), so that usage is counted from the streamed answer and retries happen beneath both.
        var llm = new ChatClientBuilder(model.Client)
            .UseDashFlowStreaming()
            .UseTokenUsage(meter)
            .UseChatResilience()
            .Build();
        var agent = ReactAgent.Create(llm, new ResearchTools(notes).All, new ReactAgentOptions { SystemPrompt = SystemPrompt, MaxIterations = maxSteps });

        await output.WriteLineAsync($"Model: {model.Description}");
        await output.WriteLineAsync($"Notes: {notes.Files.Count} files ({string.Join(", ", notes.Files)})");
        await output.WriteLineAsync($"Question: {question}");
        await output.WriteLineAsync();

        var input = new MessagesState { Messages = [new ChatMessage(ChatRole.User, question)] };

        // Each model call and each tool round is a superstep; leave room for all of them and the final answer.
        var config = new RunConfig { RecursionLimit = (2 * maxSteps) + 2 };
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var midLine = false;
        var shown = false;
        MessagesState? final = null;
        await foreach (var e in agent.StreamAsync(input, StreamMode.Messages | StreamMode.Updates | StreamMode.Values, config, cancellationToken))
        {
            switch (e)
            {
                case MessageEvent { Chunk: ChatResponseUpdate { Text: { Length: > 0 } text } }:
                    if (!midLine)
                    {
                        await output.WriteAsync("[agent] ");
                        midLine = true;
                    }

                    await output.WriteAsync(text);
                    shown = true;
                    break;

                case UpdateEvent<MessagesState> { Update: MessagesState.Update { Messages: { } written } }:
                    if (midLine)
                    {
                        await output.WriteLineAsync();
                        midLine = false;
                    }

                    foreach (var content in written.SelectMany(m => m.Contents))
                    {
                        shown |= await ShowAsync(content, toolNames);
                    }

                    break;

                case ValuesEvent<MessagesState> values:
                    final = values.State;
                    break;
            }
        }

        var last = final?.Messages.LastOrDefault();
        var label = model.IsScripted ? " (scripted)" : "";
        if (shown)
        {
            await output.WriteLineAsync();
        }

        int exitCode;
        if (last is null || ReactAgent.IsIterationLimitStop(last))
        {
            await output.WriteLineAsync($"No answer{label}: {last?.Text ?? "the agent wrote nothing."} Allow more with --max-steps.");
            exitCode = 2;
        }
        else
        {
            await output.WriteLineAsync($"Answer{label}:\n{last.Text}");
            exitCode = 0;
        }

        await output.WriteLineAsync($"\n{Usage(meter.Total)}");
        return exitCode;
    }

    /// <summary>Prints a tool call or a tool's result; whether it printed anything.</summary>
    private async Task<bool> ShowAsync(AIContent content, Dictionary<string, string> toolNames)
    {
        switch (content)
        {
            case FunctionCallContent call:
                toolNames[call.CallId] = call.Name;
                var arguments = string.Join(", ", (call.Arguments ?? new Dictionary<string, object?>()).Select(a => $"{a.Key}: {Quote(a.Value)}"));
                await output.WriteLineAsync($"[agent] calls {call.Name}({arguments})");
                return true;

            case FunctionResultContent result:
                var name = toolNames.GetValueOrDefault(result.CallId, "a tool");
                var text = ResultText(result.Result).ReplaceLineEndings("\n        ");
                await output.WriteLineAsync($"[tools] {name} returned: {text}");
                return true;

            default:
                return false;
        }
    }

    private string Usage(TokenUsageSummary total)
    {
        var usage = string.Create(CultureInfo.InvariantCulture, $"Usage: {total.Calls} model calls, {total.InputTokens} input + {total.OutputTokens} output tokens");
        usage += total.UnpricedCalls == total.Calls
            ? "; no price for this model in appsettings.json (Prices)"
            : string.Create(CultureInfo.InvariantCulture, $", cost {total.Cost:0.000000} USD") + (total.UnpricedCalls > 0 ? $" ({total.UnpricedCalls} calls unpriced)" : "");
        return usage + (model.IsScripted ? " (token counts made up by the scripted server)." : ".");
    }

    private static string Quote(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } s => Quote(s.GetString()),
        string s => "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    private static string ResultText(object? result) => result switch
    {
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
        _ => Convert.ToString(result, CultureInfo.InvariantCulture) ?? "",
    };
}
