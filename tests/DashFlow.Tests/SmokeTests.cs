using DashFlow.Tests.Reference;

namespace DashFlow.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Chain_runs_in_order()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => new DemoState.Update { Log = ["a"], Count = 1 })
            .AddNode("b", s => new DemoState.Update { Log = ["b"], Count = 1 })
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .Compile();
        var final = await app.InvokeAsync(new DemoState { Query = "q" });
        Assert.Equal(["a", "b"], final.Log);
        Assert.Equal(2, final.Count);
    }
}
