using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Graph.GraphAnalyzer>;

namespace DashFlow.Analyzers.Tests.Graph;

/// <summary>DFLOW0107: two nodes of one superstep writing a Replace field.</summary>
public sealed class ParallelWriteTests
{
    [Fact]
    public Task Fan_out_siblings_writing_one_replace_field() => Verify.VerifyAsync(
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Search)), Edge(nameof(Browse))] S.Update Plan(S s) => new() { Query = "q" };
            [Node, Edge(Graph.End)] S.Update Search(S s) => new() { {|#1:Summary = "search"|}, Sources = ["a"] };
            [Node, Edge(Graph.End)] S.Update Browse(S s) => new() { Sources = ["b"], {|#0:Summary = "browse"|} };
        }
        """),
        Verify.Diagnostic(DiagnosticDescriptors.ParallelReplaceWrite).WithLocation(0).WithLocation(1).WithLocation(18, 19)
            .WithMessage("Nodes 'Search' and 'Browse' of graph 'G' can run in the same superstep and both write 'Summary' of 'S', which has no reducer (Replace): " +
                "the run would fail at the barrier. Give 'Summary' a reducer (for example [Reducer(typeof(YourReducer))]), or let only one node write it."));

    [Fact]
    public Task Writes_in_commands_conditionals_and_async_bodies_count() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(A)), Edge(nameof(B))] S.Update Plan(S s) => new();

            [Node, Edge(Graph.End)]
            async Task<S.Update> A(S s, CancellationToken ct)
            {
                await Task.Yield();
                return s.Tokens > 0 ? new() { Query = "x" } : new();
            }

            [Node(Destinations = [Graph.End])]
            Command<S> B(S s) => new() { Update = new S.Update { {|DFLOW0107:Query = "y"|} } };
        }
        """));

    [Fact]
    public Task Nodes_in_different_supersteps_may_write_the_same_field() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Second))] S.Update First(S s) => new() { Summary = "1" };
            [Node, Edge(nameof(Third))] S.Update Second(S s) => new() { Summary = "2" };
            [Node, Edge(Graph.End)] S.Update Third(S s) => new() { Summary = "3" };
        }
        """));

    [Fact]
    public Task Reducer_fields_may_be_written_in_parallel() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(A)), Edge(nameof(B))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update A(S s) => new() { Sources = ["a"], Tokens = 1 };
            [Node, Edge(Graph.End)] S.Update B(S s) => new() { Sources = ["b"], Tokens = 2 };
        }
        """));

    [Fact]
    public Task A_router_that_picks_one_target_does_not_run_them_together() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Pick))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update A(S s) => new() { Summary = "a" };
            [Node, Edge(Graph.End)] S.Update B(S s) => new() { Summary = "b" };

            [Router(Targets = [nameof(A), nameof(B)])] Target Pick(S s) => s.Tokens > 0 ? Target.A : Target.B;
        }
        """));

    [Fact]
    public Task A_router_that_returns_several_targets_runs_them_together() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Pick))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update A(S s) => new() { Summary = "a" };
            [Node, Edge(Graph.End)] S.Update B(S s) => new() { {|DFLOW0107:Summary = "b"|} };

            [Router(Targets = [nameof(A), nameof(B)])] IEnumerable<Target> Pick(S s) => [Target.A, Target.B];
        }
        """));

    [Fact]
    public Task Branches_of_different_lengths_meet_in_one_superstep() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Short)), Edge(nameof(Long1))] S.Update Plan(S s) => new();
            [Node, Edge(nameof(Tail))] S.Update Short(S s) => new();
            [Node, Edge(nameof(Long2))] S.Update Long1(S s) => new();
            [Node, Edge(Graph.End)] S.Update Long2(S s) => new() { Query = "long" };
            [Node, Edge(Graph.End)] S.Update Tail(S s) => new() { {|DFLOW0107:Query = "tail"|} };
        }
        """));

    [Fact]
    public Task A_join_runs_after_both_sources_and_a_deferred_node_after_everything() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(A)), Edge(nameof(B)), Edge(nameof(Slow))] S.Update Plan(S s) => new();
            [Node] S.Update A(S s) => new();
            [Node] S.Update B(S s) => new();
            [Node, Edge(nameof(Slow2))] S.Update Slow(S s) => new();
            [Node, Edge(Graph.End)] S.Update Slow2(S s) => new();
            [Node, Join(nameof(A), nameof(B)), Edge(Graph.End)] S.Update Joined(S s) => new() { Summary = "joined" };
            [Node(Defer = true), Edge(Graph.End), Edge(From = nameof(A))] S.Update Last(S s) => new() { Summary = "last" };
            [Node, Edge(Graph.End), Edge(From = nameof(Slow))] S.Update Beside(S s) => new() { {|DFLOW0107:Summary = "beside"|} };
        }
        """));

    [Fact]
    public Task Sends_start_one_node_several_times() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Map))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update Worker(WorkItem item) => new() { {|DFLOW0107:Summary = item.Name|}, Sources = [item.Name] };

            [Router(Targets = [nameof(Worker)])]
            IEnumerable<Send> Map(S s) => [new Send(NodeIds.Worker, new WorkItem("a")), new Send(NodeIds.Worker, new WorkItem("b"))];
        }
        """));
}
