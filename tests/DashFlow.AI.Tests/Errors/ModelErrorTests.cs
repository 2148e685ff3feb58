using DashFlow.AI;
using DashFlow.AI.ScriptedServer;

namespace DashFlow.AI.Tests.Errors;

public sealed class ModelErrorTests
{
    private static CompiledGraph<MessagesState> OneNodeGraph(IChatClient llm, string node = "writer") =>
        new StateGraph<MessagesState>()
            .AddNode(node, async (state, context) =>
            {
                using var scope = ChatNodeScope.Enter(context);
                var answer = await llm.GetResponseAsync(state.Messages, cancellationToken: context.CancellationToken);
                return new MessagesState.Update { Messages = [.. answer.Messages] };
            })
            .AddEdge(Graph.Start, node)
            .AddEdge(node, Graph.End)
            .Compile();

    private static MessagesState Ask() => new() { Messages = [new(ChatRole.User, "hello")] };

    internal static async Task<ModelCallException> FailingRunAsync(CompiledGraph<MessagesState> app, string node)
    {
        var failed = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(Ask()).AsTask());
        Assert.Contains($"'{node}'", failed.Message);
        return Assert.IsType<ModelCallException>(failed.InnerException);
    }

    private static IChatClient Client(ScriptedOpenAIServer server, string model, TimeSpan? timeout = null) =>
        new ChatClientBuilder(server.CreateChatClient(model, timeout)).UseModelErrors().Build();

    [Fact]
    public async Task A_401_names_node_model_and_status_with_the_service_message()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.RequiredApiKey = "another-key";

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-auth")), "writer");

        Assert.Equal((ModelCallFailure.HttpError, 401, "gpt-auth", "writer"), (e.Failure, e.StatusCode, e.Model, e.Node));
        Assert.Contains("Model 'gpt-auth' (called from node 'writer' (step 1)) failed with HTTP 401 Unauthorized", e.Message);
        Assert.Contains("Incorrect API key", e.Message);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task A_404_for_an_unknown_model_names_it()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.UnknownModel());

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-nonexistent")), "writer");

        Assert.Equal(404, e.StatusCode);
        Assert.Contains("HTTP 404 Not Found", e.Message);
        Assert.Contains("gpt-nonexistent", e.Message);
    }

    [Fact]
    public async Task A_500_is_a_transient_http_error()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500, message: "The server had an error while processing your request."));

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-test")), "writer");

        Assert.Equal(500, e.StatusCode);
        Assert.True(e.IsTransient);
        Assert.Contains("HTTP 500 Internal Server Error: The server had an error while processing your request.", e.Message);
    }

    [Fact]
    public async Task A_429_carries_the_retry_after_the_service_asked_for()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.FromSeconds(7), "Rate limit reached."));

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-test")), "writer");

        Assert.Equal((429, TimeSpan.FromSeconds(7)), (e.StatusCode, e.RetryAfter));
        Assert.Contains("HTTP 429 Too Many Requests: Rate limit reached.", e.Message);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_malformed_response()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Malformed());

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-test")), "writer");

        Assert.Equal(ModelCallFailure.MalformedResponse, e.Failure);
        Assert.Contains("Model 'gpt-test' (called from node 'writer' (step 1)) answered with a body that is not a valid chat completion", e.Message);
    }

    [Fact]
    public async Task A_hung_response_ends_in_a_timeout_naming_node_and_model()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Hang());

        var e = await FailingRunAsync(OneNodeGraph(Client(server, "gpt-slow", TimeSpan.FromMilliseconds(300)), "summarize"), "summarize");

        Assert.Equal((ModelCallFailure.Timeout, "summarize", "gpt-slow"), (e.Failure, e.Node, e.Model));
        Assert.Contains("Model 'gpt-slow' (called from node 'summarize' (step 1)) timed out", e.Message);
    }

    [Fact]
    public async Task The_factory_client_reports_errors_without_extra_middleware()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(503));
        var variable = "DASHFLOW_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "k");
        var llm = ChatClientFactory.Create(new ChatModelOptions { Provider = ChatProviders.OpenAICompatible, Endpoint = server.Endpoint, Model = "gpt-factory", ApiKeyEnvironmentVariable = variable });

        var e = await FailingRunAsync(OneNodeGraph(llm), "writer");

        Assert.Equal((503, "gpt-factory"), (e.StatusCode, e.Model));
    }

    [Fact]
    public async Task An_agent_names_its_node_even_without_streaming()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500));
        var agent = ReactAgent.Create(server.CreateChatClient("gpt-agent"), []);

        var e = await FailingRunAsync(agent, "agent");

        Assert.Equal(("agent", "gpt-agent", 500), (e.Node, e.Model, e.StatusCode));
    }

    [Fact]
    public async Task The_configured_timeout_ends_a_hung_call_with_a_timeout_naming_the_model()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Hang());
        var variable = "DASHFLOW_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "k");
        var llm = ChatClientFactory.Create(new ChatModelOptions
        {
            Provider = ChatProviders.OpenAICompatible, Endpoint = server.Endpoint, Model = "gpt-configured", ApiKeyEnvironmentVariable = variable,
            // Long enough for the request to reach the server on a loaded machine; the reply never comes anyway.
            Timeout = TimeSpan.FromSeconds(3),
        });

        var e = await FailingRunAsync(OneNodeGraph(llm, "plan"), "plan");

        Assert.Equal((ModelCallFailure.Timeout, "gpt-configured", "plan"), (e.Failure, e.Model, e.Node));
        Assert.Single(server.Requests);
    }
}
