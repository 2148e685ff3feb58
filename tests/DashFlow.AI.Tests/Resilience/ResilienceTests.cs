using System.Collections.Concurrent;
using DashFlow.AI;
using DashFlow.AI.ScriptedServer;

namespace DashFlow.AI.Tests.Resilience;

public sealed class ResilienceTests
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

    private static IChatClient Resilient(IChatClient inner, ChatResilienceOptions options) =>
        new ChatClientBuilder(inner).UseChatResilience(options).Build();

    [Fact]
    public async Task A_429_is_retried_after_the_wait_its_retry_after_asks_for_and_then_succeeds()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.FromSeconds(1), "Rate limit reached."), ScriptedReply.Text("Done."));
        var retries = new ConcurrentQueue<ChatRetryInfo>();
        var llm = Resilient(server.CreateChatClient("gpt-busy"), new()
        {
            // A backoff far from the Retry-After shows which one was used.
            BaseDelay = TimeSpan.FromSeconds(45), UseJitter = false,
            OnRetry = info => { retries.Enqueue(info); return default; },
        });

        var final = await OneNodeGraph(llm).InvokeAsync(Ask());

        Assert.Equal("Done.", final.Messages[^1].Text);
        Assert.Equal(2, server.Requests.Count);
        var retry = Assert.Single(retries);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.Delay);
        Assert.Equal(("gpt-busy", "writer", 0), (retry.Model, retry.Node, retry.AttemptNumber));
        Assert.Equal(429, Assert.IsType<ModelCallException>(retry.Error).StatusCode);
    }

    [Fact]
    public async Task Five_hundreds_are_retried_with_exponential_backoff_until_one_succeeds()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500), ScriptedReply.Status(502), ScriptedReply.Text("Recovered."));
        var delays = new ConcurrentQueue<TimeSpan>();
        var llm = Resilient(server.CreateChatClient(), new()
        {
            BaseDelay = TimeSpan.FromMilliseconds(20), UseJitter = false,
            OnRetry = info => { delays.Enqueue(info.Delay); return default; },
        });

        var final = await OneNodeGraph(llm).InvokeAsync(Ask());

        Assert.Equal("Recovered.", final.Messages[^1].Text);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40)], delays);
    }

    [Fact]
    public async Task When_retries_run_out_the_error_names_node_model_and_status()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500), ScriptedReply.Status(500), ScriptedReply.Status(500));
        var llm = Resilient(server.CreateChatClient("gpt-down"), new() { MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) });

        var e = await Errors.ModelErrorTests.FailingRunAsync(OneNodeGraph(llm, "draft"), "draft");

        Assert.Equal((500, "gpt-down", "draft"), (e.StatusCode, e.Model, e.Node));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_401_is_not_retried()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.RequiredApiKey = "other";
        var llm = Resilient(server.CreateChatClient(), new() { BaseDelay = TimeSpan.FromMilliseconds(1) });

        var e = await Errors.ModelErrorTests.FailingRunAsync(OneNodeGraph(llm), "writer");

        Assert.Equal(401, e.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_hung_response_times_out_per_attempt_and_the_error_names_node_model_and_timeout()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Hang(), ScriptedReply.Hang());
        var llm = Resilient(server.CreateChatClient("gpt-hung"), new()
        {
            // Long enough for each request to reach the server on a loaded machine; the replies never come anyway.
            MaxRetryAttempts = 1, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromSeconds(2),
        });

        var e = await Errors.ModelErrorTests.FailingRunAsync(OneNodeGraph(llm, "research"), "research");

        Assert.Equal((ModelCallFailure.Timeout, "gpt-hung", "research"), (e.Failure, e.Model, e.Node));
        Assert.Contains("Model 'gpt-hung' (called from node 'research' (step 1)) did not answer within 00:00:02", e.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_failing_model_falls_back_to_the_next_in_the_chain()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.UnknownModel(), ScriptedReply.Status(500), ScriptedReply.Text("From the third model."));
        var llm = Resilient(server.CreateChatClient("gpt-primary"), new()
        {
            MaxRetryAttempts = 0,
            Fallbacks = [server.CreateChatClient("gpt-second"), server.CreateChatClient("gpt-third")],
        });

        var final = await OneNodeGraph(llm).InvokeAsync(Ask());

        Assert.Equal("From the third model.", final.Messages[^1].Text);
        Assert.Equal(["gpt-primary", "gpt-second", "gpt-third"], server.Requests.Select(r => r.Model));
    }

    [Fact]
    public async Task When_every_model_fails_the_last_error_is_reported()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500), ScriptedReply.Status(503));
        var llm = Resilient(server.CreateChatClient("gpt-primary"), new() { MaxRetryAttempts = 0, Fallbacks = [server.CreateChatClient("gpt-backup")] });

        var e = await Errors.ModelErrorTests.FailingRunAsync(OneNodeGraph(llm), "writer");

        Assert.Equal(("gpt-backup", 503), (e.Model, e.StatusCode));
    }

    [Fact]
    public async Task An_open_circuit_fails_calls_without_reaching_the_model()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(500), ScriptedReply.Status(500), ScriptedReply.Text("never asked"));
        var llm = Resilient(server.CreateChatClient("gpt-flaky"), new()
        {
            MaxRetryAttempts = 0,
            CircuitBreaker = new() { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromMinutes(5) },
        });
        var app = OneNodeGraph(llm);

        await Errors.ModelErrorTests.FailingRunAsync(app, "writer");
        await Errors.ModelErrorTests.FailingRunAsync(app, "writer");
        var e = await Errors.ModelErrorTests.FailingRunAsync(app, "writer");

        Assert.Equal(ModelCallFailure.CircuitOpen, e.Failure);
        Assert.Contains("Model 'gpt-flaky' (called from node 'writer' (step 1)) was not called: its circuit breaker is open", e.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_streamed_call_is_retried_before_its_first_token_and_tokens_still_reach_the_stream()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Status(429, TimeSpan.FromSeconds(1)), ScriptedReply.Text("Streamed after a retry."));
        var llm = new ChatClientBuilder(server.CreateChatClient())
            .UseDashFlowStreaming()
            .UseChatResilience(new() { UseJitter = false })
            .Build();

        var chunks = new List<string>();
        await foreach (var e in OneNodeGraph(llm).StreamAsync(Ask(), StreamMode.Messages))
        {
            chunks.Add(((ChatResponseUpdate)((MessageEvent)e).Chunk).Text);
        }

        Assert.Equal("Streamed after a retry.", string.Concat(chunks));
        Assert.Equal([true, true], server.Requests.Select(r => r.Stream));
    }
}
