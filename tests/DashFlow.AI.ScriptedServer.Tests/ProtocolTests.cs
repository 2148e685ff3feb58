using System.Net;
using System.Text;
using System.Text.Json;
using DashFlow.AI.ScriptedServer;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>The server's address and what it does with requests the SDK would not send.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Endpoint_is_a_loopback_v1_address()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();

        Assert.Equal("127.0.0.1", server.Endpoint.Host);
        Assert.NotEqual(0, server.Endpoint.Port);
        Assert.Equal("/v1/", server.Endpoint.AbsolutePath);
    }

    [Fact]
    public async Task Unknown_paths_answer_404_and_are_recorded()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("kept"));
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.Endpoint, "models"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("GET /v1/models", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("/v1/models", Assert.Single(server.Requests).Path);
        Assert.Equal(1, server.PendingReplyCount);
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_400()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(server.Endpoint, "chat/completions"), new StringContent("{oops", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("{oops", request.Body);
        Assert.Equal(JsonValueKind.Object, request.Json.RootElement.ValueKind);
    }

    [Fact]
    public async Task Stream_without_include_usage_ends_with_done_and_no_usage()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("one two three"));
        using var http = new HttpClient();
        var body = """{"model":"m","stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}""";

        using var response = await http.PostAsync(new Uri(server.Endpoint, "chat/completions"), new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.Equal("one two three", string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            .Select(d => d.GetProperty("content").GetString())));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("ab", Assert.Single(Assert.Single(server.Requests).Messages).Content);
    }
}
