using System.Text;
using DashFlow.AI;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.Configuration;

namespace DashFlow.AI.Tests.Models;

public sealed class ChatClientFactoryTests
{
    private static string KeyVariable(string? value = ScriptedOpenAIServer.TestApiKey)
    {
        var name = "DASHFLOW_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    private static IConfigurationSection Section(string json, string path = "Models:writer") =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection(path);

    [Fact]
    public async Task An_openai_compatible_model_from_json_answers_through_the_sdk_with_the_key_from_the_variable()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.RequiredApiKey = "secret-from-env";
        server.Enqueue(ScriptedReply.Text("Paris."));
        var variable = KeyVariable("secret-from-env");
        var section = Section($$"""
            { "Models": { "writer": { "Provider": "openai-compatible", "Model": "gpt-writer", "Endpoint": "{{server.Endpoint}}",
              "ApiKeyEnvironmentVariable": "{{variable}}", "Timeout": "00:00:20", "MaxRetries": 0 } } }
            """);

        var client = ChatClientFactory.Create(section);
        var response = await client.GetResponseAsync("Capital of France?");

        Assert.Equal("Paris.", response.Text);
        var request = Assert.Single(server.Requests);
        Assert.Equal("gpt-writer", request.Model);
        Assert.Equal("Bearer secret-from-env", request.Authorization);
        Assert.Equal("Capital of France?", request.Messages[^1].Content);
    }

    [Fact]
    public async Task The_openai_provider_with_an_endpoint_uses_the_default_key_variable_name_when_told_another()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("ok"));
        var client = ChatClientFactory.Create(new ChatModelOptions
        {
            Provider = "OpenAI", Model = "gpt-x", Endpoint = server.Endpoint, ApiKeyEnvironmentVariable = KeyVariable(),
        });

        Assert.Equal("ok", (await client.GetResponseAsync("hi")).Text);
        Assert.Equal("gpt-x", server.Requests[0].Model);
    }

    [Fact]
    public async Task Azure_openai_calls_the_deployment_on_the_resource_endpoint()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("from azure"));
        var root = new Uri(server.Endpoint.GetLeftPart(UriPartial.Authority));
        var client = ChatClientFactory.Create(new ChatModelOptions
        {
            Provider = ChatProviders.AzureOpenAI, Endpoint = root, Deployment = "my-deployment", ApiKeyEnvironmentVariable = KeyVariable(),
        });

        Assert.Equal("from azure", (await client.GetResponseAsync("hi")).Text);
        Assert.Contains("/openai/deployments/my-deployment/chat/completions", server.Requests[0].Path);
    }

    [Fact]
    public void A_missing_key_names_the_setting_and_the_variable()
    {
        var variable = KeyVariable(null);
        var section = Section($$"""{ "Models": { "writer": { "Provider": "openai", "Model": "gpt-4o-mini", "ApiKeyEnvironmentVariable": "{{variable}}" } } }""");

        var e = Assert.Throws<ModelConfigurationException>(() => ChatClientFactory.Create(section));

        Assert.Equal("Models:writer:ApiKeyEnvironmentVariable", e.Setting);
        Assert.Contains("'Models:writer:ApiKeyEnvironmentVariable'", e.Message);
        Assert.Contains(variable, e.Message);
    }

    [Fact]
    public void An_unknown_provider_names_the_setting_and_the_value()
    {
        var e = Assert.Throws<ModelConfigurationException>(() =>
            ChatClientFactory.Create(Section("""{ "Models": { "writer": { "Provider": "anthropic", "Model": "m" } } }""")));
        Assert.Equal("Models:writer:Provider", e.Setting);
        Assert.Contains("'anthropic'", e.Message);
    }

    [Theory]
    [InlineData("openai-compatible")]
    [InlineData("azure-openai")]
    public void A_provider_that_needs_an_endpoint_without_one_names_the_setting(string provider)
    {
        var e = Assert.Throws<ModelConfigurationException>(() =>
            ChatClientFactory.Create(Section($$"""{ "Models": { "writer": { "Provider": "{{provider}}", "Model": "m", "ApiKeyEnvironmentVariable": "{{KeyVariable()}}" } } }""")));
        Assert.Equal("Models:writer:Endpoint", e.Setting);
        Assert.Contains(provider, e.Message);
    }

    [Fact]
    public void A_missing_model_names_the_setting()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => ChatClientFactory.Create(new ChatModelOptions { ApiKeyEnvironmentVariable = KeyVariable() }, "Models:planner"));
        Assert.Equal("Models:planner:Model", e.Setting);
    }

    [Theory]
    [InlineData("Timeout", "soon", "Models:writer:Timeout")]
    [InlineData("MaxRetries", "many", "Models:writer:MaxRetries")]
    [InlineData("Endpoint", "not a url", "Models:writer:Endpoint")]
    public void A_value_that_does_not_parse_names_the_setting_and_the_value(string key, string value, string setting)
    {
        var e = Assert.Throws<ModelConfigurationException>(() =>
            ChatClientFactory.Create(Section($$"""{ "Models": { "writer": { "Provider": "openai", "Model": "m", "{{key}}": "{{value}}" } } }""")));
        Assert.Equal(setting, e.Setting);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public void A_missing_section_names_it()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => ChatClientFactory.Create(Section("{}", "Models:nowhere")));
        Assert.Equal("Models:nowhere", e.Setting);
    }
}
