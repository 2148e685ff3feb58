using DashFlow.Tests.Reference;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §2, recursion limit: N supersteps pass, the (N+1)th fails with an error that says what and how.</summary>
public sealed class RecursionLimitTests
{
    /// <summary>A loop that runs "step" exactly <paramref name="supersteps"/> times, one superstep each.</summary>
    private static CompiledGraph<DemoState> Loop(int supersteps) => new StateGraph<DemoState>()
        .AddNode("step", s => new DemoState.Update { Count = 1 })
        .AddEdge(Graph.Start, "step")
        .AddConditionalEdges("step", s => s.Count < supersteps ? "step" : Graph.End, ["step", Graph.End])
        .Compile();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_run_needing_exactly_the_limit_succeeds(int n)
    {
        var final = await Loop(n).InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = n });

        Assert.Equal(n, final.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_run_needing_one_superstep_more_than_the_limit_fails_naming_the_limit_the_step_and_the_nodes(int n)
    {
        var error = await Assert.ThrowsAsync<GraphRecursionException>(
            () => Loop(n).InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = n - 1, ThreadId = "loop" }).AsTask());

        Assert.Equal(n - 1, error.Limit);
        Assert.Equal(n, error.Step);
        Assert.Equal(["step"], error.Nodes);
        Assert.Equal("loop", error.ThreadId);
        Assert.Contains($"recursion limit of {n - 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"superstep {n}", error.Message, StringComparison.Ordinal);
        Assert.Contains("[step]", error.Message, StringComparison.Ordinal);
        Assert.Contains("RunConfig.RecursionLimit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_limit_is_25_supersteps()
    {
        Assert.Equal(25, RunConfig.DefaultRecursionLimit);
        Assert.Equal(25, (await Loop(25).InvokeAsync(new DemoState())).Count);

        var error = await Assert.ThrowsAsync<GraphRecursionException>(() => Loop(26).InvokeAsync(new DemoState()).AsTask());
        Assert.Equal(25, error.Limit);
        Assert.Equal(26, error.Step);
    }

    [Fact]
    public async Task The_error_lists_every_node_about_to_run_including_Send_tasks()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("first", s => null)
            .AddNode("b", s => null)
            .AddNode("c", s => null)
            .AddNode<int>("worker", n => null)
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "c")
            .AddEdge("first", "b")
            .AddConditionalEdges("first", s => new[] { new Send("worker", 1) }, ["worker"])
            .Compile();

        var error = await Assert.ThrowsAsync<GraphRecursionException>(
            () => app.InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = 1 }).AsTask());

        Assert.Equal(["b", "c", "worker"], error.Nodes);
        Assert.Equal(2, error.Step);
    }

    [Fact]
    public async Task The_limit_is_per_run_not_per_compiled_graph()
    {
        var app = Loop(5);

        var tight = Assert.ThrowsAsync<GraphRecursionException>(() => app.InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = 4 }).AsTask());
        var loose = app.InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = 5 }).AsTask();

        await tight;
        Assert.Equal(5, (await loose).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_limit_below_one_is_refused(int limit)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Loop(1).InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = limit }).AsTask());

        Assert.Contains("RecursionLimit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_node_counts_as_one_superstep_against_the_limit()
    {
        // Two supersteps: "a" then the deferred "collect"; the run finishes after superstep 2, within a limit of 2.
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => null)
            .AddNode("collect", s => new DemoState.Update { Count = 1 }, new NodeOptions { Defer = true })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "collect")
            .Compile();

        var final = await app.InvokeAsync(new DemoState(), new RunConfig { RecursionLimit = 2 });

        Assert.Equal(1, final.Count);
    }
}
