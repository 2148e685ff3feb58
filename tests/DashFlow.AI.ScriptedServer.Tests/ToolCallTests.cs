using System.Text.Json;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>Scripted tool calls, plain and streamed, parsed by the SDK and by Microsoft.Extensions.AI.</summary>
public sealed class ToolCallTests
{
    private static readonly ChatTool s_weatherTool = ChatTool.CreateFunctionTool(
        "get_weather",
        "Gets the weather in a city.",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    [Fact]
    public async Task Sdk_chat_client_parses_tool_calls_and_the_next_request_records_the_results()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(
            ScriptedReply.ToolCalls(("get_weather", """{"city":"Paris"}"""), ("get_weather", """{"city":"Oslo"}""")),
            ScriptedReply.Text("Paris is sunny, Oslo is not."));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");
        var options = new ChatCompletionOptions { Tools = { s_weatherTool } };
        List<OpenAI.Chat.ChatMessage> messages = [new UserChatMessage("Weather in Paris and Oslo?")];

        ChatCompletion calls = await client.CompleteChatAsync(messages, options);

        Assert.Equal(SdkFinishReason.ToolCalls, calls.FinishReason);
        Assert.Equal(
            [("call_1", "get_weather", """{"city":"Paris"}"""), ("call_2", "get_weather", """{"city":"Oslo"}""")],
            calls.ToolCalls.Select(c => (c.Id, c.FunctionName, c.FunctionArguments.ToString())));

        messages.Add(new AssistantChatMessage(calls));
        messages.Add(new ToolChatMessage("call_1", "18 C, sunny"));
        messages.Add(new ToolChatMessage("call_2", "4 C, rain"));
        ChatCompletion answer = await client.CompleteChatAsync(messages, options);

        Assert.Equal("Paris is sunny, Oslo is not.", answer.Content[0].Text);
        var second = server.Requests[1];
        Assert.Equal(["get_weather"], second.ToolNames);
        Assert.Equal(["user", "assistant", "tool", "tool"], second.Messages.Select(m => m.Role));
        Assert.Equal(
            [("call_1", "get_weather", """{"city":"Paris"}"""), ("call_2", "get_weather", """{"city":"Oslo"}""")],
            second.Messages[1].ToolCalls);
        Assert.Equal([("call_1", "18 C, sunny"), ("call_2", "4 C, rain")], second.Messages.Skip(2).Select(m => (m.ToolCallId, m.Content)));
    }

    [Fact]
    public async Task Chat_client_gets_function_call_contents_with_parsed_arguments()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("get_weather", """{"city":"Paris","days":3}""")));
        var chat = server.CreateChatClient();
        var tool = AIFunctionFactory.Create((string city, int days) => $"{days} sunny days in {city}", "get_weather");

        var response = await chat.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [tool] });

        Assert.Equal(AIFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments?["city"]?.ToString());
        Assert.Equal("3", call.Arguments?["days"]?.ToString());
        Assert.Equal(["get_weather"], Assert.Single(server.Requests).ToolNames);
    }

    [Fact]
    public async Task Function_invocation_runs_the_tool_and_sends_its_result_back()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("get_weather", """{"city":"Paris"}""")), ScriptedReply.Text("It is 18 C in Paris."));
        var chat = new ChatClientBuilder(server.CreateChatClient()).UseFunctionInvocation().Build();
        var tool = AIFunctionFactory.Create((string city) => $"18 C in {city}", "get_weather");

        var response = await chat.GetResponseAsync([new AIChatMessage(AIChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [tool] });

        Assert.Equal("It is 18 C in Paris.", response.Text);
        Assert.Equal(2, server.Requests.Count);
        var toolMessage = Assert.Single(server.Requests[1].Messages, m => m.Role == "tool");
        Assert.Equal("call_1", toolMessage.ToolCallId);
        Assert.Contains("18 C in Paris", toolMessage.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_stream_splits_tool_call_arguments_across_chunks()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        const string arguments = """{"city":"San Francisco","unit":"celsius","days":5}""";
        server.Enqueue(ScriptedReply.ToolCalls(("get_weather", arguments)));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");

        var updates = new List<StreamingChatToolCallUpdate>();
        SdkFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Weather?")], new ChatCompletionOptions { Tools = { s_weatherTool } }))
        {
            updates.AddRange(update.ToolCallUpdates);
            finish ??= update.FinishReason;
        }

        var argumentPieces = updates.Select(u => u.FunctionArgumentsUpdate.ToString()).Where(p => p.Length > 0).ToList();
        Assert.True(argumentPieces.Count >= 3, $"Expected the arguments in several pieces, got {argumentPieces.Count}.");
        Assert.Equal(arguments, string.Concat(argumentPieces));
        Assert.Equal("call_1", Assert.Single(updates, u => u.ToolCallId is not null).ToolCallId);
        Assert.Equal("get_weather", Assert.Single(updates, u => u.FunctionName is not null).FunctionName);
        Assert.All(updates, u => Assert.Equal(0, u.Index));
        Assert.Equal(SdkFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Chat_client_stream_assembles_several_tool_calls()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("get_weather", """{"city":"Paris"}"""), ("get_time", """{"zone":"Europe/Oslo"}""")));
        var chat = server.CreateChatClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("Weather and time?"))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal([("call_1", "get_weather"), ("call_2", "get_time")], calls.Select(c => (c.CallId, c.Name)));
        Assert.Equal("Paris", calls[0].Arguments?["city"]?.ToString());
        Assert.Equal("Europe/Oslo", calls[1].Arguments?["zone"]?.ToString());
        Assert.Equal(AIFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Tool_call_ids_keep_counting_over_the_server_life()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("a", "{}")), ScriptedReply.ToolCalls(("b", "{}"), ("c", "{}")));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");

        ChatCompletion first = await client.CompleteChatAsync("one");
        ChatCompletion second = await client.CompleteChatAsync("two");

        Assert.Equal(["call_1"], first.ToolCalls.Select(c => c.Id));
        Assert.Equal(["call_2", "call_3"], second.ToolCalls.Select(c => c.Id));
        using var arguments = JsonDocument.Parse(second.ToolCalls[1].FunctionArguments);
        Assert.Equal(JsonValueKind.Object, arguments.RootElement.ValueKind);
    }
}
