using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Builder.StateGraphBuilderAnalyzer>;

namespace DashFlow.Analyzers.Tests.Builder;

/// <summary>The topology and routing rules on fluent builder chains with constant node names.</summary>
public sealed class BuilderTests
{
    private static string Code(string body) => TestSetup.Usings + $$"""
        public static class App
        {
            public static void Build()
            {
        {{body}}
            }
        }
        """ + Sources.State;

    [Fact]
    public Task A_valid_chain_has_no_diagnostics() => Verify.VerifyAsync(Code("""
                var app = new StateGraph<S>()
                    .AddNode("plan", s => new S.Update { Query = "q" })
                    .AddNode("search", s => null)
                    .AddNode("write", s => null)
                    .AddNode("review", (s, context) => new ValueTask<NodeResult<S>>(default(NodeResult<S>)))
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "search")
                    .AddEdge(["plan", "search"], "write")
                    .AddConditionalEdges("write", s => s.Tokens > 3 ? Graph.End : "review", ["review", Graph.End])
                    .Compile();
        """));

    [Fact]
    public Task Every_topology_rule_in_one_chain() => Verify.VerifyAsync(Code("""
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode("search", s => null)
                    .AddNode({|DFLOW0105:"search"|}, s => null)
                    .AddNode("lost", s => null)
                    .AddNode({|DFLOW0102:"stuck"|}, s => null)
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", {|DFLOW0103:"Search"|})
                    .AddEdge("plan", "stuck")
                    .AddEdge("lost", Graph.End)
                    .AddEdge("search", {|DFLOW0106:Graph.Start|})
                    .AddEdge({|DFLOW0106:Graph.End|}, "plan")
                    .AddConditionalEdges("plan", s => {|DFLOW0202:"other"|}, ["search", {|DFLOW0201:"nowhere"|}])
                    .Compile();
        """));

    [Fact]
    public Task Unreachable_node_in_a_chain() => Verify.VerifyAsync(Code("""
                new StateGraph<S>()
                    .AddNode("plan", s => null)
                    .AddNode({|DFLOW0101:"lost"|}, s => null)
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", Graph.End)
                    .AddEdge("lost", "plan")
                    .Compile();
        """));

    [Fact]
    public Task No_entry() => Verify.VerifyAsync(Code("""
                var app = {|DFLOW0104:new StateGraph<S>()|}
                    .AddNode("plan", s => null)
                    .AddEdge("plan", Graph.End)
                    .Compile();
        """));

    [Fact]
    public Task A_local_builder_used_in_one_block() => Verify.VerifyAsync(Code("""
                var graph = new StateGraph<S>("custom");
                graph.AddNode("plan", s => null);
                graph.AddNode({|DFLOW0101:"lost"|}, s => null).AddEdge("lost", Graph.End);
                graph.SetEntryPoint("plan");
                graph.SetFinishPoint("plan");
                var app = graph.Compile();
        """));

    [Fact]
    public Task Builders_the_analyzer_cannot_follow_are_left_alone() => Verify.VerifyAsync(Code("""
                var name = System.Environment.GetEnvironmentVariable("NODE") ?? "x";
                new StateGraph<S>().AddNode(name, s => null).AddEdge("plan", "nowhere").Compile();

                var passed = new StateGraph<S>().AddNode("lost", s => null);
                Extend(passed);
                passed.Compile();

                var branched = new StateGraph<S>();
                branched.AddNode("plan", s => null);
                if (name.Length > 3)
                {
                    branched.AddEdge(Graph.Start, "plan");
                }

                branched.Compile();

                var neverCompiled = new StateGraph<S>().AddNode("lost", s => null);

                var options = new NodeOptions { Destinations = [name] };
                new StateGraph<S>()
                    .AddNode("start", s => null, options)
                    .AddNode("other", s => null)
                    .AddEdge(Graph.Start, "start")
                    .AddEdge("start", Graph.End)
                    .AddEdge("other", Graph.End)
                    .Compile();
            }

            private static void Extend(StateGraph<S> graph)
            {
        """));

    [Fact]
    public Task Destinations_and_commands_count() => Verify.VerifyAsync(Code("""
                new StateGraph<S>()
                    .AddNode("decide", s => new Command<S>(), new NodeOptions { Destinations = ["done", {|DFLOW0103:"gone"|}] })
                    .AddNode("done", s => null, new NodeOptions { Defer = true })
                    .AddEdge(Graph.Start, "decide")
                    .AddEdge("done", Graph.End)
                    .Compile();
        """));
}
