using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace DashFlow.AI.ScriptedServer;

public sealed partial class ScriptedOpenAIServer
{
    private static readonly byte[] s_eventStart = "data: "u8.ToArray();
    private static readonly byte[] s_eventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] s_done = "data: [DONE]\n\n"u8.ToArray();

    private async Task AnswerChatAsync(HttpContext context, RecordedRequest request, int number, ScriptedReply reply)
    {
        switch (reply)
        {
            case ScriptedReply.TextReply text:
                await WriteAnswerAsync(context, request, NewAnswer(request, number, text.Content, [], text.PromptTokens, text.CompletionTokens)).ConfigureAwait(false);
                break;

            case ScriptedReply.ToolCallsReply tools:
                var calls = tools.Calls
                    .Select(call => ("call_" + Interlocked.Increment(ref _toolCallCount).ToString(CultureInfo.InvariantCulture), call.Name, call.ArgumentsJson))
                    .ToList();
                await WriteAnswerAsync(context, request, NewAnswer(request, number, null, calls, 10, 5)).ConfigureAwait(false);
                break;

            case ScriptedReply.StatusReply status:
                if (status.RetryAfter is { } retryAfter)
                {
                    SetRetryAfter(context, retryAfter);
                }

                var (type, code) = status.Code switch
                {
                    401 => ("invalid_request_error", "invalid_api_key"),
                    429 => ("requests", "rate_limit_exceeded"),
                    >= 500 => ("server_error", (string?)null),
                    _ => ("invalid_request_error", null),
                };
                await WriteErrorAsync(context, status.Code,
                    status.Message ?? $"Scripted error: status {status.Code} for request #{number} (model '{request.Model}').",
                    type, code).ConfigureAwait(false);
                break;

            case ScriptedReply.UnknownModelReply:
                await WriteErrorAsync(context, StatusCodes.Status404NotFound,
                    $"The model `{request.Model}` does not exist or you do not have access to it.",
                    "invalid_request_error", "model_not_found").ConfigureAwait(false);
                break;

            case ScriptedReply.MalformedReply:
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = request.Stream ? "text/event-stream" : "application/json";
                var broken = $$"""{"id": "chatcmpl-scripted-{{number}}", "object": "chat.completion", "choices": [{"index": 0, "mess""";
                await context.Response.WriteAsync(request.Stream ? $"data: {broken}\n\n" : broken, context.RequestAborted).ConfigureAwait(false);
                break;

            case ScriptedReply.HangReply:
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                // Never answer: drop the connection instead of letting the server send an empty 200.
                context.Abort();
                break;

            default:
                throw new InvalidOperationException($"Unknown scripted reply {reply}.");
        }
    }

    private static OpenAIWire.Answer NewAnswer(
        RecordedRequest request, int number, string? content, IReadOnlyList<(string, string, string)> calls, int promptTokens, int completionTokens) =>
        new("chatcmpl-scripted-" + number.ToString(CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            request.Model, content, calls, promptTokens, completionTokens);

    private static async Task WriteAnswerAsync(HttpContext context, RecordedRequest request, OpenAIWire.Answer answer)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (!request.Stream)
        {
            response.ContentType = "application/json";
            await response.Body.WriteAsync(OpenAIWire.Completion(answer), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        try
        {
            foreach (var chunk in OpenAIWire.Chunks(answer, RequestReader.IncludesUsage(request)))
            {
                await response.Body.WriteAsync(s_eventStart, context.RequestAborted).ConfigureAwait(false);
                await response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
                await response.Body.WriteAsync(s_eventEnd, context.RequestAborted).ConfigureAwait(false);

                // One flush per event, so that the client receives the stream piece by piece as from a model.
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }

            await response.Body.WriteAsync(s_done, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client stopped reading the stream; nothing is left to send to.
        }
    }
}
