using DashFlow.Tests.Reference;

namespace DashFlow.Tests.Conformance;

/// <summary>The builder checks the whole graph at Compile and lists every problem in one exception.</summary>
public sealed class BuilderValidationTests
{
    private static StateUpdate<DemoState>? Nothing(DemoState state) => null;

    private static GraphValidationException CompileFails(StateGraph<DemoState> graph) =>
        Assert.Throws<GraphValidationException>(() => graph.Compile());

    /// <summary>Asserts that exactly one problem mentions every one of <paramref name="fragments"/>.</summary>
    private static void HasProblem(GraphValidationException error, params string[] fragments) =>
        Assert.Single(error.Problems, p => fragments.All(f => p.Contains(f, StringComparison.Ordinal)));

    [Fact]
    public void Every_problem_of_a_graph_is_listed_in_one_GraphValidationException()
    {
        var graph = new StateGraph<DemoState>("broken")
            .AddNode("a", Nothing)
            .AddNode("b", Nothing)
            .AddNode("a", Nothing)
            .AddNode(Graph.Start, Nothing)
            .AddNode(Graph.End, Nothing)
            .AddNode("lonely", Nothing)
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "ghost")
            .AddEdge("a", Graph.Start)
            .AddEdge(Graph.End, "b")
            .AddEdge(["a", "phantom"], "b")
            .AddConditionalEdges("a", s => "b", ["b", "specter"], "router")
            .AddConditionalEdges("wraith", s => "b", ["b"], "orphan");

        var error = CompileFails(graph);

        HasProblem(error, "'a'", "twice");
        HasProblem(error, "'__start__'", "reserved");
        HasProblem(error, "'__end__'", "reserved");
        HasProblem(error, "unknown node 'ghost'");
        HasProblem(error, "'a' -> 'Start'", "into Start");
        HasProblem(error, "'End' -> 'b'", "out of End");
        HasProblem(error, "unknown node 'phantom'");
        HasProblem(error, "'router'", "unknown node 'specter'");
        HasProblem(error, "'orphan'", "unknown node 'wraith'");
        HasProblem(error, "'lonely'", "cannot be reached");
        Assert.Equal(10, error.Problems.Count);
        Assert.Contains("'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains("10 problems", error.Message, StringComparison.Ordinal);
        Assert.All(error.Problems, p => Assert.Contains(p, error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_entry_is_listed_with_the_other_problems()
    {
        var graph = new StateGraph<DemoState>()
            .AddNode("a", Nothing)
            .AddNode("b", Nothing)
            .AddEdge("a", "b")
            .AddEdge("b", "ghost");

        var error = CompileFails(graph);

        HasProblem(error, "no entry", "Graph.Start");
        HasProblem(error, "unknown node 'ghost'");

        // Without an entry every node is unreachable; that is one problem, not one per node.
        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void An_empty_graph_has_no_entry()
    {
        var error = CompileFails(new StateGraph<DemoState>());

        HasProblem(error, "no entry");
    }

    [Fact]
    public void An_unknown_name_that_differs_only_in_case_gets_a_suggestion()
    {
        var graph = new StateGraph<DemoState>()
            .AddNode("Plan", Nothing)
            .AddEdge(Graph.Start, "plan");

        var error = CompileFails(graph);

        HasProblem(error, "unknown node 'plan'", "Did you mean 'Plan'?");
    }

    [Fact]
    public void Node_names_with_namespace_separators_or_empty_names_are_reported()
    {
        var graph = new StateGraph<DemoState>()
            .AddNode("a|b", Nothing)
            .AddNode("c:d", Nothing)
            .AddNode("", Nothing)
            .AddEdge(Graph.Start, "a|b")
            .AddEdge(Graph.Start, "c:d");

        var error = CompileFails(graph);

        HasProblem(error, "'a|b'", "rename");
        HasProblem(error, "'c:d'", "rename");
        HasProblem(error, "empty name");
        Assert.Equal(3, error.Problems.Count);
    }

    [Fact]
    public void A_join_without_sources_or_waiting_for_Start_is_reported()
    {
        var graph = new StateGraph<DemoState>()
            .AddNode("a", Nothing)
            .AddEdge(Graph.Start, "a")
            .AddEdge([], "a")
            .AddEdge([Graph.Start, "a"], "a");

        var error = CompileFails(graph);

        HasProblem(error, "no source nodes");
        HasProblem(error, "waits for Start");
    }

    [Fact]
    public void A_Command_destination_naming_an_unknown_node_is_reported()
    {
        var graph = new StateGraph<DemoState>()
            .AddNode("a", s => new Command<DemoState> { Goto = ["b"] }, new NodeOptions { Destinations = ["b", "ghost"] })
            .AddNode("b", Nothing)
            .AddEdge(Graph.Start, "a");

        var error = CompileFails(graph);

        HasProblem(error, "'a'", "unknown node 'ghost'");
        Assert.Single(error.Problems);
    }

    [Fact]
    public void Nodes_reached_only_through_routers_joins_or_declared_Command_destinations_are_reachable()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("entry", s => new Command<DemoState> { Goto = ["commanded"] }, new NodeOptions { Destinations = ["commanded"] })
            .AddNode("commanded", Nothing)
            .AddNode("routed", Nothing)
            .AddNode("other", Nothing)
            .AddNode("joined", Nothing)
            .AddEdge(Graph.Start, "entry")
            .AddEdge(Graph.Start, "other")
            .AddConditionalEdges("entry", s => "routed", ["routed"])
            .AddEdge(["routed", "other"], "joined")
            .Compile();

        Assert.Equal(["entry", "commanded", "routed", "other", "joined"], app.Nodes);
    }

    [Fact]
    public void A_router_without_declared_targets_may_reach_any_node()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("entry", Nothing)
            .AddNode("anywhere", Nothing)
            .AddEdge(Graph.Start, "entry")
            .AddConditionalEdges("entry", s => "anywhere")
            .Compile();

        Assert.Equal(2, app.Nodes.Count);
    }

    [Fact]
    public void An_invalid_retry_policy_is_refused_where_it_is_given()
    {
        var graph = new StateGraph<DemoState>();

        var error = Assert.Throws<ArgumentException>(
            () => graph.AddNode("a", Nothing, new NodeOptions { Retry = new RetryPolicy { MaxAttempts = 0 } }));

        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compiled_graph_does_not_change_when_its_builder_does()
    {
        var builder = new StateGraph<DemoState>()
            .AddNode("a", Nothing)
            .AddEdge(Graph.Start, "a");
        var app = builder.Compile();

        builder.AddNode("b", Nothing).AddEdge("a", "b");

        Assert.Equal(["a"], app.Nodes);
        Assert.Equal(["a", "b"], builder.Compile().Nodes);
    }
}
