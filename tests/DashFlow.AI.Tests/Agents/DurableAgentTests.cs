using DashFlow.AI;
using DashFlow.AI.ScriptedServer;
using DashFlow.Sqlite;

namespace DashFlow.AI.Tests.Agents;

public sealed class DurableAgentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dashflow-ai-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_approval_survives_a_restart_the_history_is_read_back_from_sqlite_and_the_tool_gets_its_arguments()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.ToolCalls(("add", """{"a": 40, "b": 2}""")), ScriptedReply.Text("It is 42."));
        var file = Path.Combine(_folder, "runs.db");
        var config = new RunConfig { ThreadId = "order-7" };
        var options = new ReactAgentOptions { RequireApproval = true, SystemPrompt = "Use tools." };

        // First process: runs until the approval question.
        var before = ReactAgent.Create(server.CreateChatClient(), [new TestTools().Add], options with { CompileOptions = new() { Checkpointer = new SqliteCheckpointer(file) } });
        var first = await before.InvokeForResultAsync(new MessagesState { Messages = [new(ChatRole.User, "40 + 2?")] }, config);
        Assert.True(first.IsInterrupted);

        // Second process: a new graph and checkpointer on the same file; the stored messages come back through the codec.
        var tools = new TestTools();
        var after = ReactAgent.Create(server.CreateChatClient(), [tools.Add], options with { CompileOptions = new() { Checkpointer = new SqliteCheckpointer(file) } });
        var stored = (await after.GetStateAsync(config)).Values.Messages;
        var call = Assert.Single(stored[^1].Contents.OfType<FunctionCallContent>());
        Assert.Equal("add", call.Name);

        var resumed = await after.InvokeForResultAsync(new Command<MessagesState> { Resume = true }, config);

        Assert.Equal(1, tools.AddCalls);
        Assert.Equal("It is 42.", resumed.State.Messages[^1].Text);
        Assert.Equal("42", server.Requests[1].Messages.Single(m => m.Role == "tool").Content);
        Assert.Equal(stored.Select(m => m.MessageId), resumed.State.Messages.Take(stored.Count).Select(m => m.MessageId));
    }
}
