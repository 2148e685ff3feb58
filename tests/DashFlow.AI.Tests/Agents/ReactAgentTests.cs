using DashFlow.AI;
using DashFlow.AI.ScriptedServer;
using DashFlow.Persistence;

namespace DashFlow.AI.Tests.Agents;

public sealed class ReactAgentTests
{
    private static MessagesState Ask(string question) => new() { Messages = [new ChatMessage(ChatRole.User, question)] };

    [Fact]
    public async Task The_agent_calls_a_tool_reads_its_result_and_answers()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 2, "b": 3}""")), ScriptedReply.Text("2 + 3 = 5."));
        var tools = new TestTools();
        var agent = ReactAgent.Create(server.CreateChatClient(), [tools.Add], new() { SystemPrompt = "You add numbers." });

        var final = await agent.InvokeAsync(Ask("What is 2 + 3?"));

        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], final.Messages.Select(m => m.Role));
        Assert.Equal("2 + 3 = 5.", final.Messages[^1].Text);
        Assert.Equal(1, tools.AddCalls);
        Assert.All(final.Messages.Skip(1), m => Assert.False(string.IsNullOrEmpty(m.MessageId)));   // written through the reducer

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(["add"], server.Requests[0].ToolNames);
        Assert.Equal(("system", "You add numbers."), (server.Requests[0].Messages[0].Role, server.Requests[0].Messages[0].Content));
        var toolMessage = Assert.Single(server.Requests[1].Messages, m => m.Role == "tool");
        Assert.Equal("5", toolMessage.Content);
        Assert.Equal(server.Requests[1].Messages.Single(m => m.Role == "assistant").ToolCalls[0].Id, toolMessage.ToolCallId);
    }

    [Fact]
    public async Task A_throwing_tool_is_reported_to_the_model_which_recovers()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("boom", """{"reason": "now"}""")), ScriptedReply.Text("The tool failed; sorry."));
        var agent = ReactAgent.Create(server.CreateChatClient(), [new TestTools().Boom]);

        var final = await agent.InvokeAsync(Ask("Blow up."));

        Assert.Equal("The tool failed; sorry.", final.Messages[^1].Text);
        var toolMessage = Assert.Single(server.Requests[1].Messages, m => m.Role == "tool");
        Assert.Contains("the disk is on fire: now", toolMessage.Content);
    }

    [Fact]
    public async Task Unknown_tools_and_arguments_that_do_not_parse_reach_the_model_as_error_results()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(
            ScriptedReply.ToolCalls(("multiply", """{"a": 2}"""), ("add", """{"a": 2, "b": """)),
            ScriptedReply.Text("Let me try again later."));
        var tools = new TestTools();
        var agent = ReactAgent.Create(server.CreateChatClient(), [tools.Add]);

        var final = await agent.InvokeAsync(Ask("Multiply."));

        Assert.Equal("Let me try again later.", final.Messages[^1].Text);
        Assert.Equal(0, tools.AddCalls);
        var results = server.Requests[1].Messages.Where(m => m.Role == "tool").Select(m => m.Content).ToList();
        Assert.Equal(2, results.Count);
        Assert.Contains("no tool named 'multiply'", results[0]);
        Assert.Contains("arguments of the call to 'add' are not valid JSON", results[1]);
    }

    [Fact]
    public async Task The_iteration_limit_stops_the_agent_with_a_message_that_says_so()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 1, "b": 1}""")), ScriptedReply.ToolCalls(("add", """{"a": 2, "b": 2}""")));
        var tools = new TestTools();
        var agent = ReactAgent.Create(server.CreateChatClient(), [tools.Add], new() { MaxIterations = 2 });

        var final = await agent.InvokeAsync(Ask("Keep adding."));

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(1, tools.AddCalls);
        var last = final.Messages[^1];
        Assert.True(ReactAgent.IsIterationLimitStop(last));
        Assert.Contains("Stopped after 2 model calls", last.Text);
        Assert.Contains("add(a: 2, b: 2)", last.Text);

        // The stop leaves no unanswered tool call, so the conversation can go on.
        Assert.Empty(ToolNode.PendingCalls(final.Messages));
    }

    [Fact]
    public async Task Approval_interrupts_before_tools_run_and_resuming_with_true_runs_them()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 20, "b": 22}""")), ScriptedReply.Text("42."));
        var tools = new TestTools();
        var agent = ReactAgent.Create(server.CreateChatClient(), [tools.Add], new()
        {
            RequireApproval = true,
            CompileOptions = new CompileOptions { Checkpointer = new InMemoryCheckpointer() },
        });
        var config = new RunConfig { ThreadId = "approve-1" };

        var first = await agent.InvokeForResultAsync(Ask("20 + 22?"), config);

        Assert.True(first.IsInterrupted);
        var question = Assert.IsType<string>(Assert.Single(first.Interrupts).Value);
        Assert.Contains("add(a: 20, b: 22)", question);
        Assert.Equal(0, tools.AddCalls);
        Assert.Single(server.Requests);

        var resumed = await agent.InvokeForResultAsync(new Command<MessagesState> { Resume = true }, config);

        Assert.False(resumed.IsInterrupted);
        Assert.Equal(1, tools.AddCalls);
        Assert.Equal("42.", resumed.State.Messages[^1].Text);
        Assert.Equal("42", server.Requests[1].Messages.Single(m => m.Role == "tool").Content);
    }

    [Fact]
    public async Task Refusing_with_a_reason_tells_the_model_and_runs_nothing()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 1, "b": 2}""")), ScriptedReply.Text("Understood."));
        var tools = new TestTools();
        var agent = ReactAgent.Create(server.CreateChatClient(), [tools.Add], new()
        {
            RequireApproval = true,
            CompileOptions = new CompileOptions { Checkpointer = new InMemoryCheckpointer() },
        });
        var config = new RunConfig { ThreadId = "refuse-1" };

        await agent.InvokeForResultAsync(Ask("1 + 2?"), config);
        var resumed = await agent.InvokeForResultAsync(new Command<MessagesState> { Resume = "do it by hand" }, config);

        Assert.Equal(0, tools.AddCalls);
        Assert.Equal("Understood.", resumed.State.Messages[^1].Text);
        Assert.Contains("do it by hand", server.Requests[1].Messages.Single(m => m.Role == "tool").Content);
    }

    [Fact]
    public async Task Approval_without_a_checkpointer_fails_naming_what_is_missing()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 1, "b": 2}""")));
        var agent = ReactAgent.Create(server.CreateChatClient(), [new TestTools().Add], new() { RequireApproval = true });

        var e = await Assert.ThrowsAnyAsync<Exception>(() => agent.InvokeAsync(Ask("1 + 2?")).AsTask());

        Assert.Contains("checkpointer", e.ToString());
        Assert.Contains("'tools'", e.ToString());
    }
}
