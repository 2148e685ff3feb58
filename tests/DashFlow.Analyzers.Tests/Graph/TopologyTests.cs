using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Graph.GraphAnalyzer>;

namespace DashFlow.Analyzers.Tests.Graph;

/// <summary>The topology rules (DFLOW01xx) on attribute graphs, each with a case that reports and one that does not.</summary>
public sealed class TopologyTests
{
    [Fact]
    public Task The_design_example_has_no_diagnostics() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class ResearchGraph
        {
            [Node, Edge(From = Graph.Start)]
            [Edge(nameof(Search)), Edge(nameof(Browse))]
            async ValueTask<S.Update> Plan(S s, CancellationToken ct)
            {
                await Task.Delay(0, ct);
                return new() { Query = "q" };
            }

            [Node, Edge(nameof(Write))] S.Update Search(S s) => new() { Sources = ["a"] };
            [Node, Edge(nameof(Write))] S.Update Browse(S s) => new() { Sources = ["b"] };

            [Node, Join(nameof(Search), nameof(Browse)), Route(nameof(Review))]
            async ValueTask<S.Update> Write(S s, CancellationToken ct)
            {
                await Task.Delay(0, ct);
                return new() { Summary = "done", Tokens = 5 };
            }

            [Router(Targets = [nameof(Write), Graph.End])]
            Target Review(S s) => s.Tokens > 10_000 ? Target.End : Target.Write;
        }
        """));

    [Fact]
    public Task DFLOW0101_unreachable_node() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update First(S s) => new();
            [Node, Edge(Graph.End)] S.Update {|DFLOW0101:Lost|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0101_nodes_reached_through_joins_routers_and_destinations_are_reachable() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Pick))] S.Update First(S s) => new();
            [Node, Edge(Graph.End)] S.Update Picked(S s) => new();
            [Node(Destinations = [nameof(Commanded)])] Command<S> Jump(S s) => new();
            [Node, Edge(Graph.End)] S.Update Commanded(S s) => new();
            [Node, Join(nameof(Picked), nameof(Commanded)), Edge(Graph.End)] S.Update Joined(S s) => new();

            [Router(Targets = [nameof(Picked), nameof(Jump)])] Target Pick(S s) => Target.Picked;
        }
        """));

    [Fact]
    public Task DFLOW0101_is_not_reported_for_every_node_when_there_is_no_entry() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class {|DFLOW0104:G|}
        {
            [Node, Edge(nameof(Second))] S.Update First(S s) => new();
            [Node, Edge(Graph.End)] S.Update Second(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0102_dead_end() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Last))] S.Update First(S s) => new();
            [Node] S.Update {|DFLOW0102:Last|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0102_loop_without_exit() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Pong))] S.Update {|DFLOW0102:Ping|}(S s) => new();
            [Node, Edge(nameof(Ping))] S.Update {|DFLOW0102:Pong|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0102_deliberate_stops_commands_and_open_routers_are_fine() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Loop)), Edge(nameof(Decide))] S.Update First(S s) => new();
            [Node, Route(nameof(Again))] S.Update Loop(S s) => new();
            [Node] Command<S> Decide(S s) => new();

            [Router] Target Again(S s) => s.Tokens > 3 ? Target.End : Target.Loop;
        }
        """));

    [Fact]
    public Task DFLOW0102_message_says_how_to_make_the_stop_explicit() => Verify.VerifyAsync(
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start)] S.Update {|#0:Only|}(S s) => new();
        }
        """),
        Verify.Diagnostic(DiagnosticDescriptors.NoPathToEnd).WithLocation(0).WithMessage(
            "Node 'Only' of graph 'G' is a dead end: nothing follows it, so its branch stops without reaching End. " +
            "If that is deliberate, add [Edge(Graph.End)] to make the stop explicit, or an edge to the node that should run next."));

    [Fact]
    public Task DFLOW0103_unknown_nodes_in_edges_joins_and_destinations() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge({|DFLOW0103:"Serch"|}), Edge(nameof(Search))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update Search(S s) => new();
            [Node, Join(nameof(Search), {|DFLOW0103:"Nowhere"|}), Edge(Graph.End)] S.Update Write(S s) => new();
            [Node(Destinations = [{|DFLOW0103:"Gone"|}]), Edge(From = nameof(Search))] Command<S> Jump(S s) => new();
            [Node, Edge(Graph.End, From = {|DFLOW0103:"Missing"|}), Edge(Graph.End)] S.Update Other(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0103_message_suggests_the_node_that_differs_in_case() => Verify.VerifyAsync(
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge({|#0:"search"|})] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update Search(S s) => new();
        }
        """),
        Verify.Diagnostic(DiagnosticDescriptors.UnknownNode).WithLocation(0)
            .WithMessage("Edge 'Plan' -> 'search' names unknown node 'search'. Did you mean 'Search'?"));

    [Fact]
    public Task DFLOW0103_node_names_and_method_names_are_both_known() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node(Name = "plan"), Edge(From = Graph.Start), Edge("search")] S.Update Plan(S s) => new();
            [Node(Name = "search"), Edge(Graph.End)] S.Update Search(S s) => new();
            [Node, Edge(From = nameof(Plan)), Edge(Graph.End)] S.Update Side(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0104_no_entry() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class {|DFLOW0104:G|}
        {
            [Node, Edge(Graph.End)] S.Update Only(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0104_conditional_entry_is_an_entry() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(Graph.End)] S.Update A(S s) => new();
            [Node, Edge(Graph.End)] S.Update B(S s) => new();

            [Router(From = Graph.Start, Targets = [nameof(A), nameof(B)])] Target Entry(S s) => Target.A;
        }
        """));

    [Fact]
    public Task DFLOW0105_duplicate_and_reserved_node_names() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node(Name = "step"), Edge(From = Graph.Start), Edge(Graph.End)] S.Update First(S s) => new();
            [Node(Name = "step"), Edge(Graph.End)] S.Update {|DFLOW0105:Second|}(S s) => new();
            [Node(Name = Graph.End)] S.Update {|DFLOW0105:Third|}(S s) => new();
            [Node(Name = "a|b"), Edge(Graph.End)] S.Update {|DFLOW0105:Fourth|}(S s) => new();
        }
        """));

    [Fact]
    public Task DFLOW0105_overloaded_node_methods_with_one_name() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Step(S s) => new();
            [Node, Edge(Graph.End)] S.Update {|DFLOW0105:Step|}(S s, CancellationToken ct) => new();
        }
        """));

    [Fact]
    public Task DFLOW0106_edges_into_start_and_out_of_end() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge({|DFLOW0106:Graph.Start|}), Edge(Graph.End)] S.Update First(S s) => new();
            [Node, Edge(From = {|DFLOW0106:Graph.End|}), Edge(Graph.End), Edge(From = nameof(First))] S.Update Second(S s) => new();
            [Node, Join(nameof(First), {|DFLOW0106:Graph.Start|}), Edge(Graph.End)] S.Update Third(S s) => new();
            [Node, Edge(Graph.End), Edge(From = nameof(First))] S.Update Fourth(S s) => new();
        }
        """));
}
