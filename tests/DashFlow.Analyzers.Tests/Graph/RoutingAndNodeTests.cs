using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Graph.GraphAnalyzer>;

namespace DashFlow.Analyzers.Tests.Graph;

/// <summary>The routing rules (DFLOW02xx), the node rules (DFLOW03xx) and the class rules of attribute graphs.</summary>
public sealed class RoutingAndNodeTests
{
    [Fact]
    public Task DFLOW0201_router_declares_an_unknown_target() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Review))] S.Update Write(S s) => new();

            [Router(Targets = [nameof(Write), {|DFLOW0201:"Publish"|}, Graph.End])]
            Target Review(S s) => Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0201_declared_targets_that_exist_are_fine() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Review))] S.Update Write(S s) => new();
            [Node, Edge(Graph.End)] S.Update Publish(S s) => new();

            [Router(Targets = new[] { nameof(Write), nameof(Publish), Graph.End })]
            Target Review(S s) => Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0202_router_returns_a_target_it_did_not_declare() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Review)), Route(nameof(ByName))] S.Update Write(S s) => new();
            [Node, Edge(Graph.End)] S.Update Publish(S s) => new();
            [Node, Edge(Graph.End)] S.Update Archive(S s) => new();

            [Router(Targets = [nameof(Publish), Graph.End])]
            Target Review(S s) => s.Tokens switch
            {
                0 => Target.End,
                1 => {|DFLOW0202:Target.Archive|},
                _ => s.Query == "" ? Target.Publish : {|DFLOW0202:Target.Write|},
            };

            [Router(Targets = [nameof(Publish), nameof(Archive)])]
            string ByName(S s)
            {
                if (s.Tokens > 1)
                {
                    return nameof(Publish);
                }

                var local = () => "not the router's";
                return s.Tokens < 0 ? {|DFLOW0202:Graph.End|} : NodeIds.Archive;
            }
        }
        """));

    [Fact]
    public Task DFLOW0202_sequences_and_sends_are_read_too() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(B)), Route(nameof(Fan)), Route(nameof(Map))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update A(S s) => new();
            [Node, Edge(Graph.End)] S.Update B(S s) => new();
            [Node, Edge(Graph.End)] S.Update Worker(WorkItem item) => new();

            [Router(Targets = [nameof(A)])]
            IEnumerable<Target> Fan(S s) => [Target.A, {|DFLOW0202:Target.B|}];

            [Router(Targets = [nameof(Worker)])]
            IEnumerable<Send> Map(S s)
            {
                yield return new Send(NodeIds.Worker, new WorkItem("x"));
                yield return new Send({|DFLOW0202:"A"|}, new WorkItem("y"));
            }
        }
        """));

    [Fact]
    public Task DFLOW0202_routers_without_declared_targets_may_return_any_node() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Any))] S.Update Write(S s) => new();
            [Node, Edge(Graph.End)] S.Update Publish(S s) => new();

            [Router] Target Any(S s) => s.Tokens > 0 ? Target.Publish : Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0203_router_attached_to_no_node() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();

            [Router(Targets = [nameof(Write), Graph.End])] Target {|DFLOW0203:Forgotten|}(S s) => Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0204_route_to_a_method_that_is_not_a_router() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End), Route({|DFLOW0204:nameof(Helper)|})] S.Update Write(S s) => new();

            Target Helper(S s) => Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0205_unsupported_router_signature() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Review))] S.Update Write(S s) => new();

            [Router(Targets = [nameof(Write), Graph.End])] Target {|DFLOW0205:Review|}(S s, int extra) => Target.End;
        }
        """));

    [Fact]
    public Task DFLOW0301_unsupported_node_signature() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Count))] S.Update Write(S s) => new();
            [Node, Edge(Graph.End)] int {|DFLOW0301:Count|}(S s) => 0;
            [Node, Edge(From = nameof(Write)), Edge(Graph.End)] S.Update {|DFLOW0301:TwoTokens|}(S s, CancellationToken a, CancellationToken b) => new();
        }
        """));

    [Fact]
    public Task DFLOW0301_every_supported_signature_is_fine() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(B)), Edge(nameof(C)), Edge(nameof(D)), Edge(nameof(E)), Edge(nameof(F))]
            S.Update A(S s) => new();
            [Node, Edge(Graph.End)] async Task<S.Update> B(S s, CancellationToken ct) { await Task.Yield(); return new(); }
            [Node, Edge(Graph.End)] ValueTask<S.Update?> C(S s, NodeContext context, CancellationToken ct) => default;
            [Node, Edge(Graph.End)] void D(S s) { }
            [Node, Edge(Graph.End)] Task E(S s) => Task.CompletedTask;
            [Node(Destinations = [Graph.End])] Command<S> F(S s, NodeContext context) => new();
        }
        """));

    [Fact]
    public Task DFLOW0302_method_that_is_both_node_and_router() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Router, Edge(From = Graph.Start), Edge(Graph.End)] S.Update {|DFLOW0302:Both|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0303_edge_on_a_method_that_is_not_a_node() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();

            [Edge(nameof(Write))] void {|DFLOW0303:Helper|}(S s) { }
        }
        """));

    [Fact]
    public Task DFLOW0304_node_method_named_End() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update {|DFLOW0304:End|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0304_a_node_named_End_through_its_attribute_is_fine() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node(Name = "End"), Edge(From = Graph.Start), Edge(Graph.End)] S.Update Finish(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0007_generic_and_static_graph_classes() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class {|DFLOW0007:Generic|}<T>
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();
        }

        [Graph<S>]
        public static partial class {|DFLOW0007:Static|}
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] static S.Update Write(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0008_state_that_is_not_a_graph_state() => Verify.VerifyAsync(TestSetup.Usings + """
        public sealed class Plain { }

        [Graph<{|DFLOW0008:Plain|}>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] void Write(Plain s) { }
        }
        """);

    [Fact]
    public Task None_of_the_routing_node_and_class_rules_fire_on_a_graph_that_uses_every_attribute_correctly() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class Everything
        {
            [Node(Name = "plan", TimeoutMilliseconds = 100), Edge(From = Graph.Start), Edge(nameof(Search)), Route(nameof(Review))]
            S.Update Plan(S s) => new();

            [Node, Retry(MaxAttempts = 2), Edge(Graph.End)] S.Update Search(S s) => new();

            [Node(Defer = true), Join(nameof(Plan), nameof(Search)), Edge(Graph.End)] S.Update Collect(S s) => new();

            [Node, Edge(Graph.End)] S.Update Worker(WorkItem item) => new();

            [Router(Targets = [nameof(Search), nameof(Worker), Graph.End])]
            IEnumerable<Send> Review(S s) => [new Send(NodeIds.Worker, new WorkItem("x"))];

            [Router(From = nameof(Search), Targets = [Graph.End])] string Done(S s) => Graph.End;

            // Plain helpers are not graph members.
            static string Helper(S s) => s.Query;
        }
        """));
}
