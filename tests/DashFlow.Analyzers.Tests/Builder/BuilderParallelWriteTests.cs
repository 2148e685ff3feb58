using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Builder.StateGraphBuilderAnalyzer>;

namespace DashFlow.Analyzers.Tests.Builder;

/// <summary>DFLOW0107 on fluent builder graphs: node lambdas of one superstep writing a Replace field.</summary>
public sealed class BuilderParallelWriteTests
{
    private static string Code(string body, string state = Sources.State) => TestSetup.Usings + $$"""
        public static class App
        {
            public static void Build(NodeOptions options, bool flag)
            {
        {{body}}
            }

            private static S.Update Write(S s) => new() { Summary = "method" };
        }
        """ + state;

    [Fact]
    public Task Fan_out_siblings_writing_one_replace_field() => Verify.VerifyAsync(
        Code(
            """
                    new StateGraph<S>("research")
                        .AddNode("plan", s => new S.Update { Query = "q" })
                        .AddNode("search", s => new S.Update { {|#1:Summary = "search"|}, Sources = ["a"] })
                        .AddNode("browse", s => new S.Update { Sources = ["b"], {|#0:Summary = "browse"|} })
                        .AddEdge(Graph.Start, "plan")
                        .AddEdge("plan", "search")
                        .AddEdge("plan", "browse")
                        .AddEdge("search", Graph.End)
                        .AddEdge("browse", Graph.End)
                        .Compile();
            """,
            """

            [GraphState]
            public partial record S
            {
                public string Query { get; init; } = "";
                public string {|#2:Summary|} { get; init; } = "";
                [Reducer(Append)] public ImmutableList<string> Sources { get; init; } = [];
            }

            """),
        Verify.Diagnostic(DiagnosticDescriptors.ParallelReplaceWrite).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("Nodes 'search' and 'browse' of graph 'research' can run in the same superstep and both write 'Summary' of 'S', which has no reducer (Replace): " +
                "the run would fail at the barrier. Give 'Summary' a reducer (for example [Reducer(typeof(YourReducer))]), or let only one node write it."));

    [Fact]
    public Task Writes_in_async_handlers_commands_and_a_local_builder_count() => Verify.VerifyAsync(Code("""
                var graph = new StateGraph<S>();
                graph.AddNode("plan", s => null);
                graph.AddNode("a", async (s, ct) =>
                {
                    await Task.Yield();
                    return s.Tokens > 0 ? new S.Update { Query = "x" } : null;
                });
                graph.AddNode("b", (s, context) => new ValueTask<NodeResult<S>>(new Command<S> { Update = new S.Update { {|DFLOW0107:Query = "y"|} } }));
                graph.AddEdge(Graph.Start, "plan").AddEdge("plan", "a").AddEdge("plan", "b");
                graph.AddEdge("a", Graph.End).AddEdge("b", Graph.End);
                var app = graph.Compile();
        """));

    [Fact]
    public Task Routers_joins_and_sends_decide_what_runs_together() => Verify.VerifyAsync(Code("""
                // One target at a time: never together.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", s => new S.Update { Summary = "b" })
                    .AddEdge(Graph.Start, "plan")
                    .AddConditionalEdges("plan", s => s.Tokens > 0 ? "a" : "b", ["a", "b"])
                    .AddEdge("a", Graph.End)
                    .AddEdge("b", Graph.End)
                    .Compile();

                // Several targets at once.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", s => new S.Update { {|DFLOW0107:Summary = "b"|} })
                    .AddEdge(Graph.Start, "plan")
                    .AddConditionalEdges("plan", s => new[] { "a", "b" }, ["a", "b"])
                    .AddEdge("a", Graph.End)
                    .AddEdge("b", Graph.End)
                    .Compile();

                // A join runs after its sources, not beside them.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Query = "a" })
                    .AddNode("b", s => null)
                    .AddNode("joined", s => new S.Update { Query = "joined" })
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "b")
                    .AddEdge(["a", "b"], "joined")
                    .AddEdge("joined", Graph.End)
                    .Compile();

                // Sends start one node several times in one superstep.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode<WorkItem>("worker", item => new S.Update { {|DFLOW0107:Summary = item.Name|}, Sources = [item.Name] })
                    .AddEdge(Graph.Start, "plan")
                    .AddConditionalEdges("plan", s => new[] { new Send("worker", new WorkItem("a")), new Send("worker", new WorkItem("b")) }, ["worker"])
                    .AddEdge("worker", Graph.End)
                    .Compile();
        """));

    [Fact]
    public Task Deferred_nodes_reducer_fields_and_sequences_do_not_conflict() => Verify.VerifyAsync(Code("""
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a", Sources = ["a"], Tokens = 1 })
                    .AddNode("last", s => new S.Update { Summary = "last", Sources = ["b"], Tokens = 2 }, new NodeOptions { Defer = true })
                    .AddNode("after", s => new S.Update { Summary = "after" })
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "last")
                    .AddEdge("a", Graph.End)
                    .AddEdge("last", "after")
                    .AddEdge("after", Graph.End)
                    .Compile();
        """));

    [Fact]
    public Task Builders_whose_writes_or_timing_are_not_visible_are_left_alone() => Verify.VerifyAsync(Code("""
                // Options from elsewhere may defer a node.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", s => new S.Update { Summary = "b" }, options)
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "b")
                    .AddEdge("a", Graph.End)
                    .AddEdge("b", Graph.End)
                    .Compile();

                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", s => new S.Update { Summary = "b" }, new NodeOptions { Defer = flag })
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "b")
                    .AddEdge("a", Graph.End)
                    .AddEdge("b", Graph.End)
                    .Compile();

                // A method group's writes are not followed; a router that may return any node is not played.
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", Write)
                    .AddNode("c", s => new S.Update { Summary = "c" })
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "b")
                    .AddConditionalEdges("a", s => new[] { "c", Graph.End })
                    .AddEdge("b", Graph.End)
                    .AddEdge("c", Graph.End)
                    .Compile();

                // Not compiled here: the builder may still change.
                var open = new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("a", s => new S.Update { Summary = "a" })
                    .AddNode("b", s => new S.Update { Summary = "b" })
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "a")
                    .AddEdge("plan", "b");
        """));
}
