using System.ClientModel;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>Scripted failures as the SDK and IChatClient see them.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task Rate_limit_surfaces_as_429_with_retry_after_and_is_not_retried()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.FromSeconds(2.5), "Rate limit reached for requests."), ScriptedReply.Text("never sent"));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync("Hi"));

        Assert.Equal(429, error.Status);
        Assert.Contains("Rate limit reached for requests.", error.Message, StringComparison.Ordinal);
        Assert.Contains("rate_limit_exceeded", error.Message, StringComparison.Ordinal);
        var response = error.GetRawResponse();
        Assert.NotNull(response);
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("3", retryAfter);
        Assert.True(response.Headers.TryGetValue("retry-after-ms", out var retryAfterMs));
        Assert.Equal("2500", retryAfterMs);
        Assert.Single(server.Requests);
        Assert.Equal(1, server.PendingReplyCount);
    }

    [Fact]
    public async Task Chat_client_passes_the_429_through()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.FromSeconds(1)));
        var chat = server.CreateChatClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hi"));

        Assert.Equal(429, error.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Sdk_default_options_retry_a_429_which_is_why_the_created_clients_turn_retries_off()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.Zero), ScriptedReply.Text("after the retry"));
        var client = new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = server.Endpoint })
            .GetChatClient("gpt-test");

        ChatCompletion completion = await client.CompleteChatAsync("Hi");

        Assert.Equal("after the retry", completion.Content[0].Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Server_error_surfaces_as_500_with_the_message()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500, message: "The model crashed."), ScriptedReply.Status(503));
        var chat = server.CreateChatClient();

        var first = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hi"));
        var second = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hi"));

        Assert.Equal(500, first.Status);
        Assert.Contains("The model crashed.", first.Message, StringComparison.Ordinal);
        Assert.Contains("server_error", first.Message, StringComparison.Ordinal);
        Assert.Equal(503, second.Status);
        Assert.Contains("status 503", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_script_answers_500_naming_the_request_number()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("only one"));
        var chat = server.CreateChatClient("gpt-script");

        await chat.GetResponseAsync("first");
        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("second"));

        Assert.Equal(500, error.Status);
        Assert.Contains("The script ran out: request #2", error.Message, StringComparison.Ordinal);
        Assert.Contains("gpt-script", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_responder_answers_500_with_its_exception()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Responder = _ => throw new InvalidOperationException("The responder is broken.");
        var chat = server.CreateChatClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hi"));

        Assert.Equal(500, error.Status);
        Assert.Contains("The responder is broken.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hang_ends_with_the_client_network_timeout()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();

        // Chosen by content, not queued: on a slow machine the timeout may fire before the request reaches the server,
        // and a queued Hang would then be left for the next request.
        server.Responder = request => request.Messages[^1].Content == "hang" ? ScriptedReply.Hang() : ScriptedReply.Text("still here");
        var chat = server.CreateChatClient(networkTimeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat.GetResponseAsync("hang"));

        // The server goes on answering (a client without the short timeout, which a slow machine could exceed on an
        // ordinary answer).
        Assert.Equal("still here", (await server.CreateChatClient().GetResponseAsync("again")).Text);
    }

    [Fact]
    public async Task Hang_ends_when_the_caller_cancels()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Responder = _ =>
        {
            arrived.TrySetResult();
            return ScriptedReply.Hang();
        };
        var chat = server.CreateChatClient();
        using var cancellation = new CancellationTokenSource();

        var call = chat.GetResponseAsync("Hi", cancellationToken: cancellation.Token);
        await arrived.Task;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Disposing_the_server_releases_a_hanging_request()
    {
        var server = await ScriptedOpenAIServer.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Responder = _ =>
        {
            arrived.TrySetResult();
            return ScriptedReply.Hang();
        };
        var call = server.CreateChatClient().GetResponseAsync("Hi");
        await arrived.Task;

        await server.DisposeAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.IsNotType<OperationCanceledException>(error, exactMatch: false);
    }

    [Fact]
    public async Task Malformed_body_fails_to_parse_in_the_sdk()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Malformed(), ScriptedReply.Malformed());
        var chat = server.CreateChatClient();

        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => chat.GetResponseAsync("Hi"));
        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync("Hi"))
            {
                _ = update;
            }
        });
    }

    [Fact]
    public async Task Unknown_model_answers_404_model_not_found_naming_the_model()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.UnknownModel());
        var chat = server.CreateChatClient("gpt-does-not-exist");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hi"));

        Assert.Equal(404, error.Status);
        Assert.Contains("model_not_found", error.Message, StringComparison.Ordinal);
        Assert.Contains("`gpt-does-not-exist`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Required_api_key_refuses_other_keys_with_401_without_using_the_script()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.RequiredApiKey = "sk-right";
        server.Enqueue(ScriptedReply.Text("welcome"));
        var wrong = server.CreateOpenAIClient(apiKey: "sk-wrong").GetChatClient("gpt-test");
        var right = server.CreateOpenAIClient(apiKey: "sk-right").GetChatClient("gpt-test");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => wrong.CompleteChatAsync("Hi"));
        Assert.Equal(401, error.Status);
        Assert.Contains("invalid_api_key", error.Message, StringComparison.Ordinal);
        Assert.Contains("sk-wrong", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.PendingReplyCount);

        ChatCompletion completion = await right.CompleteChatAsync("Hi");
        Assert.Equal("welcome", completion.Content[0].Text);
        Assert.Equal(["Bearer sk-wrong", "Bearer sk-right"], server.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public void Bad_replies_are_refused_naming_what_was_written()
    {
        var status = Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedReply.Status(200));
        Assert.Contains("200", status.Message, StringComparison.Ordinal);
        var noCalls = Assert.Throws<ArgumentException>(() => ScriptedReply.ToolCalls());
        Assert.Contains("at least one call", noCalls.Message, StringComparison.Ordinal);
        var noName = Assert.Throws<ArgumentException>(() => ScriptedReply.ToolCalls(("ok", "{}"), ("", "{}")));
        Assert.Contains("Tool call 1", noName.Message, StringComparison.Ordinal);
    }
}
