using DashFlow.Analyzers.Builder;
using DashFlow.Analyzers.Declarations;
using DashFlow.Analyzers.Graph;
using DashFlow.Analyzers.Tests.Infrastructure;
using DashFlow.CodeFixes;

namespace DashFlow.Analyzers.Tests.CodeFixes;

/// <summary>Each code fix, applied to what its analyzer reports.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task Make_state_partial() => CodeFixVerifier<PartialTypeAnalyzer, MakePartialCodeFix>.VerifyAsync(
        TestSetup.Usings + """
        [GraphState]
        public sealed record {|DFLOW0001:S|}
        {
            public string Query { get; init; } = "";
        }
        """,
        TestSetup.Usings + """
        [GraphState]
        public sealed partial record S
        {
            public string Query { get; init; } = "";
        }
        """);

    [Fact]
    public Task Make_graph_and_its_containing_type_partial() => CodeFixVerifier<PartialTypeAnalyzer, MakePartialCodeFix>.VerifyAsync(
        [Sources.Graph("""
        // The outer type.
        class {|DFLOW0001:Outer|}
        {
            [Graph<S>]
            public class {|DFLOW0001:G|}
            {
                [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();
            }
        }
        """)],
        [Sources.Graph("""
        // The outer type.
        partial class Outer
        {
            [Graph<S>]
            public partial class G
            {
                [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();
            }
        }
        """)]);

    [Fact]
    public Task Add_edge_to_End_for_a_dead_end() => CodeFixVerifier<GraphAnalyzer, AddEdgeToEndCodeFix>.VerifyAsync(
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Last))] S.Update First(S s) => new();

            [Node]
            S.Update {|DFLOW0102:Last|}(S s) => new();
        }
        """),
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Last))] S.Update First(S s) => new();

            [Node, Edge(Graph.End)]
            S.Update Last(S s) => new();
        }
        """));

    [Fact]
    public Task Add_edge_to_End_writes_full_names_without_a_using() => CodeFixVerifier<GraphAnalyzer, AddEdgeToEndCodeFix>.VerifyAsync(
        """
        namespace App
        {
            [global::DashFlow.Graph<S>]
            public partial class G
            {
                [global::DashFlow.Node, global::DashFlow.Edge(From = global::DashFlow.Graph.Start)] S.Update {|DFLOW0102:Only|}(S s) => new();
            }

            [global::DashFlow.GraphState]
            public partial record S
            {
                public int Count { get; init; }
            }
        }
        """,
        """
        namespace App
        {
            [global::DashFlow.Graph<S>]
            public partial class G
            {
                [global::DashFlow.Node, global::DashFlow.Edge(From = global::DashFlow.Graph.Start), global::DashFlow.Edge(global::DashFlow.Graph.End)] S.Update Only(S s) => new();
            }

            [global::DashFlow.GraphState]
            public partial record S
            {
                public int Count { get; init; }
            }
        }
        """);

    [Fact]
    public Task Fix_the_case_of_a_misspelled_node_name() => CodeFixVerifier<GraphAnalyzer, FixNodeNameCaseCodeFix>.VerifyAsync(
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge({|DFLOW0103:"search"|}), Route(nameof(Review))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update Search(S s) => new();

            [Router(Targets = [{|DFLOW0201:"SEARCH"|}, Graph.End])] Target Review(S s) => Target.End;
        }
        """),
        Sources.Graph("""
        [Graph<S>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge("Search"), Route(nameof(Review))] S.Update Plan(S s) => new();
            [Node, Edge(Graph.End)] S.Update Search(S s) => new();

            [Router(Targets = ["Search", Graph.End])] Target Review(S s) => Target.End;
        }
        """));

    [Fact]
    public Task Fix_the_case_in_a_builder_chain() => CodeFixVerifier<global::DashFlow.Analyzers.Builder.StateGraphBuilderAnalyzer, FixNodeNameCaseCodeFix>.VerifyAsync(
        TestSetup.Usings + """
        public static class App
        {
            public static CompiledGraph<S> Build() => new StateGraph<S>()
                .AddNode("plan", s => null)
                .AddEdge(Graph.Start, {|DFLOW0103:"Plan"|})
                .AddEdge("plan", Graph.End)
                .Compile();
        }
        """ + Sources.State,
        TestSetup.Usings + """
        public static class App
        {
            public static CompiledGraph<S> Build() => new StateGraph<S>()
                .AddNode("plan", s => null)
                .AddEdge(Graph.Start, "plan")
                .AddEdge("plan", Graph.End)
                .Compile();
        }
        """ + Sources.State);

    [Fact]
    public Task Add_the_reducer_that_fits_a_list_written_in_parallel() => CodeFixVerifier<GraphAnalyzer, AddReducerCodeFix>.VerifyAsync(
        [
            TestSetup.Usings + """
            [Graph<Research>]
            public partial class G
            {
                [Node, Edge(From = Graph.Start), Edge(nameof(Search)), Edge(nameof(Browse))] Research.Update Plan(Research s) => new();
                [Node, Edge(Graph.End)] Research.Update Search(Research s) => new() { Found = ["a"] };
                [Node, Edge(Graph.End)] Research.Update Browse(Research s) => new() { {|DFLOW0107:Found = ["b"]|} };
            }
            """,
            """
            using System.Collections.Immutable;
            using DashFlow;

            [GraphState]
            public partial record Research
            {
                /// <summary>What was found.</summary>
                public ImmutableList<string> Found { get; init; } = [];
            }
            """,
        ],
        [
            TestSetup.Usings + """
            [Graph<Research>]
            public partial class G
            {
                [Node, Edge(From = Graph.Start), Edge(nameof(Search)), Edge(nameof(Browse))] Research.Update Plan(Research s) => new();
                [Node, Edge(Graph.End)] Research.Update Search(Research s) => new() { Found = ["a"] };
                [Node, Edge(Graph.End)] Research.Update Browse(Research s) => new() { Found = ["b"] };
            }
            """,
            """
            using System.Collections.Immutable;
            using DashFlow;

            [GraphState]
            public partial record Research
            {
                /// <summary>What was found.</summary>
                [Reducer(Reduce.Append)]
                public ImmutableList<string> Found { get; init; } = [];
            }
            """,
        ]);

    [Fact]
    public Task Add_Union_to_a_set_with_the_short_name_when_Reduce_is_imported() => CodeFixVerifier<GraphAnalyzer, AddReducerCodeFix>.VerifyAsync(
        TestSetup.Usings + """
        [Graph<Tags>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(A)), Edge(nameof(B))] Tags.Update Plan(Tags s) => new();
            [Node, Edge(Graph.End)] Tags.Update A(Tags s) => new() { Seen = ["a"] };
            [Node, Edge(Graph.End)] Tags.Update B(Tags s) => new() { {|DFLOW0107:Seen = ["b"]|} };
        }

        [GraphState]
        public partial record Tags
        {
            public ImmutableHashSet<string> Seen { get; init; } = [];
        }
        """,
        TestSetup.Usings + """
        [Graph<Tags>]
        public partial class G
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(A)), Edge(nameof(B))] Tags.Update Plan(Tags s) => new();
            [Node, Edge(Graph.End)] Tags.Update A(Tags s) => new() { Seen = ["a"] };
            [Node, Edge(Graph.End)] Tags.Update B(Tags s) => new() { Seen = ["b"] };
        }

        [GraphState]
        public partial record Tags
        {
            [Reducer(Union)]
            public ImmutableHashSet<string> Seen { get; init; } = [];
        }
        """);

    [Fact]
    public Task Add_Append_to_a_list_two_builder_nodes_write() => CodeFixVerifier<StateGraphBuilderAnalyzer, AddReducerCodeFix>.VerifyAsync(
        TestSetup.Usings + """
        public static class App
        {
            public static CompiledGraph<Notes> Build() => new StateGraph<Notes>()
                .AddNode("plan", s => null)
                .AddNode("a", s => new Notes.Update { Lines = ["a"] })
                .AddNode("b", s => new Notes.Update { {|DFLOW0107:Lines = ["b"]|} })
                .AddEdge(Graph.Start, "plan")
                .AddEdge("plan", "a")
                .AddEdge("plan", "b")
                .AddEdge("a", Graph.End)
                .AddEdge("b", Graph.End)
                .Compile();
        }

        [GraphState]
        public partial record Notes
        {
            public ImmutableList<string> Lines { get; init; } = [];
        }
        """,
        TestSetup.Usings + """
        public static class App
        {
            public static CompiledGraph<Notes> Build() => new StateGraph<Notes>()
                .AddNode("plan", s => null)
                .AddNode("a", s => new Notes.Update { Lines = ["a"] })
                .AddNode("b", s => new Notes.Update { Lines = ["b"] })
                .AddEdge(Graph.Start, "plan")
                .AddEdge("plan", "a")
                .AddEdge("plan", "b")
                .AddEdge("a", Graph.End)
                .AddEdge("b", Graph.End)
                .Compile();
        }

        [GraphState]
        public partial record Notes
        {
            [Reducer(Append)]
            public ImmutableList<string> Lines { get; init; } = [];
        }
        """);
}
