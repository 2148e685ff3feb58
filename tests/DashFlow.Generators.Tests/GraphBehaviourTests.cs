using GraphBehaviour;

namespace DashFlow.Generators.Tests;

/// <summary>Attribute graphs declared in this project, generated at build time, compiled and run on the engine.</summary>
public sealed class GraphBehaviourTests
{
    private sealed class Greeter : IGreeter
    {
        public string Greet(string name) => "hello " + name;
    }

    [Fact]
    public async Task Fan_out_join_and_typed_router_run_with_the_constructor_dependency()
    {
        var app = new ResearchFlow(new Greeter()).Compile();
        using var cancellation = new CancellationTokenSource();

        var final = await app.InvokeAsync(new FlowState { Query = "q" }, cancellationToken: cancellation.Token);

        // Plan fans out to Search and Browse (one superstep, declaration order at the barrier); the join runs Write once
        // both ran; the router sends Write round once more, then to End.
        Assert.Equal(["hello q (cancellable)", "search", "browse", "write Write in step 3", "write Write in step 4"], final.Log);
        Assert.Equal(4, final.Count);
    }

    [Fact]
    public async Task Router_returning_an_undeclared_target_fails_naming_router_and_value()
    {
        var app = new UndeclaredFlow().Compile();

        var error = await Assert.ThrowsAsync<InvalidRouteException>(async () => await app.InvokeAsync(new FlowState()));

        Assert.Equal("Pick", error.Router);
        Assert.Equal("Other", error.Value);
        Assert.Equal(["Declared", global::DashFlow.Graph.End], error.DeclaredTargets);
        Assert.Contains("'Pick'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Other'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sends_reach_a_node_taking_the_argument_and_a_command_goes_on()
    {
        var app = new MapFlow().Compile();

        var final = await app.InvokeAsync(new FlowState { Query = "a,b,c" });

        Assert.Equal(["split", "work a as task 0", "work b as task 1", "work c as task 2", "decide at 6"], final.Log);
        Assert.Equal(6, final.Count);
    }

    [Fact]
    public async Task Conditional_entry_deferred_node_and_retry()
    {
        var shortFlow = new EntryFlow();
        var shortFinal = await shortFlow.Compile().InvokeAsync(new FlowState { Query = "short" });
        Assert.Equal(["short"], shortFinal.Log);
        Assert.Equal([2], shortFlow.FinalSteps);

        // The deferred node waits for the longer branch; the retried node fails once, then succeeds.
        var longFlow = new EntryFlow();
        var longFinal = await longFlow.Compile().InvokeAsync(new FlowState { Query = "long" });
        Assert.Equal(["long", "long2", "long3"], longFinal.Log);
        Assert.Equal(2, longFinal.Count);
        Assert.Equal([4], longFlow.FinalSteps);
    }

    [Fact]
    public void Node_ids_and_targets_are_generated()
    {
        Assert.Equal("Plan", ResearchFlow.NodeIds.Plan);
        Assert.Equal("long three", EntryFlow.NodeIds.Long3);
        Assert.Equal(
            ["Plan", "Search", "Browse", "Write", "End"],
            Enum.GetNames<ResearchFlow.Target>());
    }

    [Fact]
    public void Mermaid_shows_nodes_edges_joins_and_routes()
    {
        var mermaid = ResearchFlow.Mermaid;

        Assert.Contains("n_Plan[Plan]", mermaid, StringComparison.Ordinal);
        Assert.Contains("__start__ --> n_Plan", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Plan --> n_Search", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Plan --> n_Browse", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Search -- join --> n_Write", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Browse -- join --> n_Write", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Write -. Review .-> n_Write", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Write -. Review .-> __end__", mermaid, StringComparison.Ordinal);
        Assert.Contains("n_Final[Final (deferred)]", EntryFlow.Mermaid, StringComparison.Ordinal);
        Assert.Contains("__start__ -. Choose .-> n_Short", EntryFlow.Mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void Static_shape_matches_the_compiled_graph()
    {
        Assert.Equal(ResearchFlow.Mermaid, new ResearchFlow(new Greeter()).Compile().ToMermaid());
        Assert.Equal(MapFlow.Mermaid, new MapFlow().Compile().ToMermaid());
        Assert.Equal(EntryFlow.Mermaid, new EntryFlow().Compile().ToMermaid());
        Assert.Equal("ResearchFlow", new ResearchFlow(new Greeter()).Compile().Name);
    }

    [Fact]
    public async Task Create_builder_gives_a_builder_that_can_be_extended()
    {
        var builder = new MapFlow().CreateBuilder();
        builder.AddNode("Extra", s => new FlowState.Update { Log = ["extra"] }).AddEdge(MapFlow.NodeIds.Finish, "Extra");

        var final = await builder.Compile().InvokeAsync(new FlowState { Query = "x" });

        Assert.Equal(["split", "work x as task 0", "decide at 1", "extra"], final.Log);
    }
}
