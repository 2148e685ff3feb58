using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>Plain and streamed text answers, through the OpenAI SDK's ChatClient and through IChatClient.</summary>
public sealed class ChatTests
{
    private const string Sentence = "The quick brown fox jumps over the lazy dog.";

    [Fact]
    public async Task Sdk_chat_client_gets_the_scripted_text_with_usage_and_the_requested_model()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("Hello there!", promptTokens: 12, completionTokens: 7));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi")]);

        Assert.Equal("Hello there!", Assert.Single(completion.Content).Text);
        Assert.Equal(SdkFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal("gpt-4o-mini", completion.Model);
        Assert.Equal(12, completion.Usage.InputTokenCount);
        Assert.Equal(7, completion.Usage.OutputTokenCount);
        Assert.Equal(19, completion.Usage.TotalTokenCount);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("gpt-4o-mini", request.Model);
        Assert.False(request.Stream);
        Assert.Equal("Bearer " + ScriptedOpenAIServer.TestApiKey, request.Authorization);
        Assert.Equal(
            [("system", "Be brief."), ("user", "Hi")],
            request.Messages.Select(m => (m.Role, m.Content)));
        Assert.Empty(request.ToolNames);
        Assert.Null(request.ResponseFormatType);
        Assert.Equal(0, server.PendingReplyCount);
    }

    [Fact]
    public async Task Chat_client_gets_the_scripted_text()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("Hello there!"), ScriptedReply.Text("Second answer"));
        var chat = server.CreateChatClient();

        var first = await chat.GetResponseAsync([new AIChatMessage(AIChatRole.User, "Hi")]);
        var second = await chat.GetResponseAsync("Again");

        Assert.Equal("Hello there!", first.Text);
        Assert.Equal(ScriptedOpenAIServer.DefaultChatModel, first.ModelId);
        Assert.Equal(AIFinishReason.Stop, first.FinishReason);
        Assert.Equal(10, first.Usage?.InputTokenCount);
        Assert.Equal(5, first.Usage?.OutputTokenCount);
        Assert.Equal("Second answer", second.Text);
        Assert.Equal(["Hi", "Again"], server.Requests.Select(r => Assert.Single(r.Messages).Content));
    }

    [Fact]
    public async Task Sdk_stream_delivers_the_text_in_several_updates_then_usage()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text(Sentence, promptTokens: 3, completionTokens: 9));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");

        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in client.CompleteChatStreamingAsync("Tell me a pangram."))
        {
            updates.Add(update);
        }

        var pieces = updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text).Where(t => t.Length > 0).ToList();
        Assert.True(pieces.Count >= 5, $"Expected the text in several pieces, got {pieces.Count}: {string.Join("|", pieces)}");
        Assert.Equal(Sentence, string.Concat(pieces));
        Assert.Equal(SdkFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal("gpt-test", u.Model));
        var usage = Assert.Single(updates, u => u.Usage is not null).Usage;
        Assert.Equal(3, usage.InputTokenCount);
        Assert.Equal(9, usage.OutputTokenCount);

        var request = Assert.Single(server.Requests);
        Assert.True(request.Stream);
    }

    [Fact]
    public async Task Chat_client_stream_arrives_in_several_updates_and_reassembles()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        const string text = "Grüße aus Köln — 東京 too, and an emoji: 🚀🚀 done.";
        server.Enqueue(ScriptedReply.Text(text));
        var chat = server.CreateChatClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("Say hello."))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, $"Expected several text updates, got {updates.Count(u => u.Text.Length > 0)}.");
        var response = updates.ToChatResponse();
        Assert.Equal(text, response.Text);
        Assert.Equal(AIFinishReason.Stop, response.FinishReason);
        Assert.Equal(10, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.True(Assert.Single(server.Requests).Stream);
    }

    [Fact]
    public async Task Responder_decides_per_request_and_null_falls_back_to_the_queue()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Responder = request => request.Messages[^1].Content == "ping" ? ScriptedReply.Text("pong") : null;
        server.Enqueue(ScriptedReply.Text("from the queue"));
        var chat = server.CreateChatClient();

        Assert.Equal("pong", (await chat.GetResponseAsync("ping")).Text);
        Assert.Equal("from the queue", (await chat.GetResponseAsync("something else")).Text);
        Assert.Equal("pong", (await chat.GetResponseAsync("ping")).Text);
        Assert.Equal(3, server.Requests.Count);
    }
}
