using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Declarations.PartialTypeAnalyzer>;

namespace DashFlow.Analyzers.Tests.Declarations;

/// <summary>DFLOW0001: state and graph types, and the types they are nested in, must be partial.</summary>
public sealed class PartialTypeAnalyzerTests
{
    [Fact]
    public Task State_not_partial() => Verify.VerifyAsync(
        TestSetup.Usings + """
        [GraphState]
        public record {|#0:S|}
        {
            public string Query { get; init; } = "";
        }
        """,
        AnalyzerVerifier<DashFlow.Analyzers.Declarations.PartialTypeAnalyzer>.Diagnostic(DiagnosticDescriptors.TypeNotPartial).WithLocation(0)
            .WithMessage("The [GraphState] type 'S' must be partial, so that the generator can add its Update type and merge. Add the 'partial' modifier."));

    [Fact]
    public Task Graph_not_partial() => Verify.VerifyAsync(Sources.Graph("""
        [Graph<S>]
        public class {|DFLOW0001:G|}
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();
        }
        """));

    [Fact]
    public Task Types_that_contain_a_state_or_a_graph() => Verify.VerifyAsync(Sources.Graph("""
        public static class {|DFLOW0001:States|}
        {
            [GraphState]
            public partial record Inner
            {
                public string Query { get; init; } = "";
            }
        }

        public class {|DFLOW0001:Outer|}
        {
            public partial class Middle
            {
                [Graph<S>]
                public partial class G
                {
                    [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Write(S s) => new();
                }
            }
        }
        """));

    [Fact]
    public Task Partial_declarations_and_unrelated_types_are_fine() => Verify.VerifyAsync(
        [
            Sources.Graph("""
            public static partial class Outer
            {
                [Graph<S>]
                public partial class G
                {
                    [Node, Edge(From = Graph.Start)] S.Update Write(S s) => new();
                }

                public class Unrelated { }
            }

            public class Plain
            {
                public class Nested { }
            }
            """),
            """
            using DashFlow;

            public static partial class Outer
            {
                public partial class G
                {
                    [Node, Edge(From = nameof(Write)), Edge(Graph.End)] S.Update Second(S s) => new();
                }
            }
            """,
        ]);
}
