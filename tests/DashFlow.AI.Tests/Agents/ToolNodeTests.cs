using DashFlow.AI;

namespace DashFlow.AI.Tests.Agents;

public sealed class ToolNodeTests
{
    private static FunctionCallContent Call(string id, string name, Dictionary<string, object?>? args = null) => new(id, name, args ?? []);

    [Fact]
    public async Task Each_call_gets_a_tool_message_with_its_result_in_call_order()
    {
        var tools = new TestTools();
        var node = new ToolNode([tools.Add]);

        var results = await node.InvokeAsync([Call("c1", "add", new() { ["a"] = 2, ["b"] = 3 }), Call("c2", "add", new() { ["a"] = 10, ["b"] = 1 })]);

        Assert.Equal(2, results.Count);
        Assert.All(results, m => Assert.Equal(ChatRole.Tool, m.Role));
        var first = Assert.IsType<FunctionResultContent>(Assert.Single(results[0].Contents));
        var second = Assert.IsType<FunctionResultContent>(Assert.Single(results[1].Contents));
        Assert.Equal(("c1", "5"), (first.CallId, first.Result?.ToString()));
        Assert.Equal(("c2", "11"), (second.CallId, second.Result?.ToString()));
    }

    [Fact]
    public async Task Calls_run_in_parallel()
    {
        // Each call waits until both have started: run one after the other, the first would never finish.
        var started = 0;
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> Wait(string name)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task;
            return name;
        }

        var node = new ToolNode([AIFunctionFactory.Create(Wait, "wait")]);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var run = node.InvokeAsync([Call("c1", "wait", new() { ["name"] = "x" }), Call("c2", "wait", new() { ["name"] = "y" })], guard.Token);
        var finished = await Task.WhenAny(run, Task.Delay(Timeout.Infinite, guard.Token));

        Assert.Same(run, finished);
        Assert.Equal(["x", "y"], (await run).Select(m => ((FunctionResultContent)m.Contents[0]).Result?.ToString()));
    }

    [Fact]
    public async Task A_throwing_tool_becomes_an_error_result_naming_the_tool_and_the_failure()
    {
        var node = new ToolNode([new TestTools().Boom]);
        var result = (FunctionResultContent)(await node.InvokeAsync([Call("c1", "boom", new() { ["reason"] = "test" })]))[0].Contents[0];

        var text = Assert.IsType<string>(result.Result);
        Assert.StartsWith("Error:", text);
        Assert.Contains("'boom'", text);
        Assert.Contains("the disk is on fire: test", text);
        Assert.IsType<InvalidOperationException>(result.Exception);
    }

    [Fact]
    public async Task An_unknown_tool_becomes_an_error_result_listing_the_tools()
    {
        var tools = new TestTools();
        var node = new ToolNode([tools.Add, tools.Boom]);
        var result = (FunctionResultContent)(await node.InvokeAsync([Call("c9", "multiply")]))[0].Contents[0];

        Assert.Equal("c9", result.CallId);
        Assert.Equal("Error: there is no tool named 'multiply'. The tools are: add, boom.", result.Result);
    }

    [Fact]
    public async Task Arguments_that_do_not_bind_become_an_error_result()
    {
        var tools = new TestTools();
        var node = new ToolNode([tools.Add]);
        var result = (FunctionResultContent)(await node.InvokeAsync([Call("c1", "add", new() { ["a"] = 1 })]))[0].Contents[0];

        Assert.Contains("'add'", (string)result.Result!);
        Assert.Contains("'b'", (string)result.Result!);
        Assert.Equal(0, tools.AddCalls);
    }

    [Fact]
    public void Two_tools_with_one_name_are_refused_naming_it()
    {
        var tools = new TestTools();
        var e = Assert.Throws<ArgumentException>(() => new ToolNode([tools.Add, tools.Add]));
        Assert.Contains("'add'", e.Message);
    }
}
