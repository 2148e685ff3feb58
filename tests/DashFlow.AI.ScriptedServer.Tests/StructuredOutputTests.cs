using System.Text.Json;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>JSON answers to requests with a JSON schema response format.</summary>
public sealed class StructuredOutputTests
{
    public sealed record Forecast(string City, int Celsius);

    [Fact]
    public async Task Chat_client_structured_output_parses_the_scripted_json()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Json("""{"city":"Paris","celsius":18}"""));
        var chat = server.CreateChatClient();

        var response = await chat.GetResponseAsync<Forecast>("Forecast for Paris?");

        Assert.Equal(new Forecast("Paris", 18), response.Result);
        var request = Assert.Single(server.Requests);
        Assert.Equal("json_schema", request.ResponseFormatType);
        var schema = request.Json.RootElement.GetProperty("response_format").GetProperty("json_schema").GetProperty("schema");
        Assert.True(schema.GetProperty("properties").TryGetProperty("city", out _));
    }

    [Fact]
    public async Task Sdk_json_schema_format_is_recorded_and_the_content_is_the_json()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Json("""{"city":"Oslo","celsius":4}"""));
        var client = server.CreateOpenAIClient().GetChatClient("gpt-test");
        var options = new ChatCompletionOptions
        {
            ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                "forecast",
                BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"},"celsius":{"type":"integer"}},"required":["city","celsius"],"additionalProperties":false}"""),
                jsonSchemaIsStrict: true),
        };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Forecast for Oslo?")], options);

        using var json = JsonDocument.Parse(completion.Content[0].Text);
        Assert.Equal("Oslo", json.RootElement.GetProperty("city").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("celsius").GetInt32());
        Assert.Equal("json_schema", Assert.Single(server.Requests).ResponseFormatType);
    }
}
