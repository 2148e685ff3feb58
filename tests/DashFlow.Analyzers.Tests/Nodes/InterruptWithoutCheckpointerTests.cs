using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.Nodes.InterruptWithoutCheckpointerAnalyzer>;

namespace DashFlow.Analyzers.Tests.Nodes;

/// <summary>DFLOW0305: a graph whose nodes interrupt, compiled and run without a checkpointer where that is visible.</summary>
public sealed class InterruptWithoutCheckpointerTests
{
    /// <summary>A graph class whose node 'Ask' interrupts, and a graph class that never does.</summary>
    private const string Graphs = """
        [Graph<S>]
        public partial class Approval
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Ask))] S.Update Plan(S s) => new() { Query = "q" };

            [Node, Edge(Graph.End)]
            S.Update Ask(S s, NodeContext context) => new() { Summary = {|#9:context.Interrupt<string>("approve?")|} };
        }

        [Graph<S>]
        public partial class Plain
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Plan(S s, NodeContext context) => new() { Query = context.Node };
        }

        """;

    private static string Code(string body, string graphs = Graphs) => TestSetup.Usings + "using DashFlow.Persistence;\n" + graphs + $$"""
        public static class App
        {
            private static readonly InMemoryCheckpointer s_checkpointer = new();
            private static CompileOptions s_options = new();

            public static async Task Run(CompileOptions options, RunConfig config, ICheckpointer checkpointer)
            {
        {{body}}
            }

            private static void Keep(CompiledGraph<S> graph) { }
        }
        """ + Sources.State;

    [Fact]
    public Task Compiled_and_run_without_a_checkpointer() => Verify.VerifyAsync(
        Code("""
                var app = new Approval().{|#0:Compile()|};
                await app.InvokeAsync(new S());
        """),
        Verify.Diagnostic(DiagnosticDescriptors.InterruptWithoutCheckpointer).WithLocation(0).WithLocation(9)
            .WithMessage("Graph 'Approval' is compiled without a checkpointer and no run of it here gets one, but node 'Ask' calls Interrupt: " +
                "the run fails there with a CheckpointerRequiredException. Set one with Compile(new CompileOptions { Checkpointer = ... }) " +
                "(InMemoryCheckpointer, SqliteCheckpointer) or RunConfig.Checkpointer, and run with a RunConfig.ThreadId."));

    [Fact]
    public Task Options_and_configs_that_visibly_hold_no_checkpointer() => Verify.VerifyAsync(Code("""
                var first = new Approval().{|DFLOW0305:Compile(new CompileOptions { Name = "approval" })|};
                var thread = new RunConfig { ThreadId = "order-42" };
                await first.InvokeAsync(new S(), thread);
                await first.InvokeAsync(new Command<S> { Resume = "yes" }, thread with { ThreadId = "order-43" });
                await foreach (var e in first.StreamAsync(new S(), StreamMode.Updates, new RunConfig { Checkpointer = null }))
                {
                }

                var noOptions = new CompileOptions { Checkpointer = null, Name = "none" };
                var copied = noOptions;
                var second = new Approval().{|DFLOW0305:Compile(copied)|};
                System.Console.WriteLine(second.ToMermaid() + second.Name);

                new Approval().{|DFLOW0305:Compile(null)|};
                _ = new Approval().{|DFLOW0305:Compile(default)|};
                await new Approval().{|DFLOW0305:Compile()|}.InvokeAsync(new S(), new RunConfig { ThreadId = "t" });
        """));

    [Fact]
    public Task A_checkpointer_at_compile_time_or_in_a_run() => Verify.VerifyAsync(Code("""
                var compiled = new Approval().Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
                await compiled.InvokeAsync(new S());

                var perRun = new Approval().Compile();
                await perRun.InvokeAsync(new S(), new RunConfig { ThreadId = "t", Checkpointer = s_checkpointer });

                var thread = new RunConfig { ThreadId = "t" };
                var durable = thread with { Checkpointer = checkpointer };
                var byLocal = new Approval().Compile();
                await byLocal.InvokeAsync(new S(), durable);

                // One run with a checkpointer is enough to show the author knows.
                var mixed = new Approval().Compile();
                await mixed.InvokeAsync(new S());
                await mixed.InvokeAsync(new S(), new RunConfig { Checkpointer = checkpointer });

                var either = new Approval().Compile(checkpointer is null ? null : new CompileOptions { Checkpointer = checkpointer });
                await either.InvokeAsync(new S());
        """));

    [Fact]
    public Task Options_configs_and_graphs_from_elsewhere_are_not_judged() => Verify.VerifyAsync(Code("""
                var fromParameter = new Approval().Compile(options);
                await fromParameter.InvokeAsync(new S());

                var fromField = new Approval().Compile(s_options);
                await fromField.InvokeAsync(new S());

                var reassigned = new CompileOptions();
                reassigned = s_options;
                await new Approval().Compile(reassigned).InvokeAsync(new S());

                var passedByRef = new RunConfig();
                Replace(ref passedByRef);
                await new Approval().Compile().InvokeAsync(new S(), passedByRef);

                await new Approval().Compile().InvokeAsync(new S(), config);
                await new Approval().Compile(new CompileOptions { Name = "x" } with { Checkpointer = checkpointer }).InvokeAsync(new S());

                var kept = new Approval().Compile();
                Keep(kept);
                await kept.InvokeAsync(new S());

                var stored = new Approval().Compile();
                s_graph = stored;

                var later = new Approval().Compile();
                later = new Approval().Compile(new CompileOptions { Checkpointer = checkpointer });
                await later.InvokeAsync(new S());

                System.Func<CompiledGraph<S>> factory = () => new Approval().Compile();
                Keep(new Approval().Compile());
            }

            private static CompiledGraph<S>? s_graph;

            private static void Replace(ref RunConfig config) => config = new RunConfig { Checkpointer = new InMemoryCheckpointer() };

            private static CompiledGraph<S> Returned() => new Approval().Compile();

            private static void Unused()
            {
        """));

    [Fact]
    public Task Graphs_whose_nodes_do_not_interrupt_are_not_judged() => Verify.VerifyAsync(Code(
        """
                await new Plain().Compile().InvokeAsync(new S());
                await new OtherInterrupt().Compile().InvokeAsync(new S());
                await new NestedInterrupt().Compile().InvokeAsync(new S());
        """,
        Graphs + """
        public sealed class Pause
        {
            public T Interrupt<T>(object? value) => default!;
        }

        [Graph<S>]
        public partial class OtherInterrupt(Pause pause)
        {
            public OtherInterrupt() : this(new Pause()) { }

            [Node, Edge(From = Graph.Start), Edge(Graph.End)]
            S.Update Ask(S s, NodeContext context) => new() { Summary = pause.Interrupt<string>("not the context") };
        }

        [Graph<S>]
        public partial class NestedInterrupt
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)]
            S.Update Ask(S s, NodeContext context)
            {
                // A lambda the node may never call: not a visible interrupt of the node.
                System.Func<string> later = () => context.Interrupt<string>("later");
                return new();
            }
        }

        """));

    [Fact]
    public Task Every_interrupting_node_is_named() => Verify.VerifyAsync(
        Code(
            """
                    await new Review().{|#0:Compile()|}.InvokeAsync(new S());
            """,
            """
            [Graph<S>]
            public partial class Review
            {
                [Node(Name = "first-look"), Edge(From = Graph.Start), Edge(nameof(Second))]
                async ValueTask<S.Update> First(S s, CancellationToken ct, NodeContext ctx)
                {
                    await Task.Yield();
                    return ctx.Step > 1 ? new() { Query = {|#1:ctx.Interrupt<string>("first")|} } : new();
                }

                [Node, Edge(Graph.End)]
                Command<S> Second(S s, NodeContext context)
                {
                    var ok = {|#2:context.Interrupt<bool>(new { s.Query })|};
                    return new() { Update = new S.Update { Summary = ok ? "yes" : "no" } };
                }
            }

            """),
        Verify.Diagnostic(DiagnosticDescriptors.InterruptWithoutCheckpointer).WithLocation(0).WithLocation(1).WithLocation(2)
            .WithMessage("Graph 'Review' is compiled without a checkpointer and no run of it here gets one, but nodes 'first-look' and 'Second' call Interrupt: " +
                "the run fails there with a CheckpointerRequiredException. Set one with Compile(new CompileOptions { Checkpointer = ... }) " +
                "(InMemoryCheckpointer, SqliteCheckpointer) or RunConfig.Checkpointer, and run with a RunConfig.ThreadId."));

    [Fact]
    public Task Builder_lambdas_that_interrupt() => Verify.VerifyAsync(
        Code("""
                var app = new StateGraph<S>("approvals")
                    .AddNode("plan", s => new S.Update { Query = "q" })
                    .AddNode("ask", (s, context) => new ValueTask<NodeResult<S>>(new S.Update { Summary = {|#1:context.Interrupt<string>("ok?")|} }))
                    .AddEdge(Graph.Start, "plan")
                    .AddEdge("plan", "ask")
                    .AddEdge("ask", Graph.End)
                    .{|#0:Compile()|};
                await app.InvokeAsync(new S(), new RunConfig { ThreadId = "t" });

                var graph = new StateGraph<S>();
                graph.AddNode("ask", async (s, context) =>
                {
                    await Task.Yield();
                    return context.Interrupt<bool>("go?") ? new S.Update { Summary = "go" } : null;
                });
                graph.AddEdge(Graph.Start, "ask").AddEdge("ask", Graph.End);
                var local = graph.{|DFLOW0305:Compile()|};
                await local.InvokeAsync(new S());
                var durable = graph.Compile(new CompileOptions { Checkpointer = checkpointer });
                await durable.InvokeAsync(new S());
        """),
        Verify.Diagnostic(DiagnosticDescriptors.InterruptWithoutCheckpointer).WithLocation(0).WithLocation(1)
            .WithMessage("Graph 'approvals' is compiled without a checkpointer and no run of it here gets one, but node 'ask' calls Interrupt: " +
                "the run fails there with a CheckpointerRequiredException. Set one with Compile(new CompileOptions { Checkpointer = ... }) " +
                "(InMemoryCheckpointer, SqliteCheckpointer) or RunConfig.Checkpointer, and run with a RunConfig.ThreadId."));

    [Fact]
    public Task Builders_the_analyzer_cannot_follow_are_not_judged() => Verify.VerifyAsync(Code("""
                var durable = new StateGraph<S>()
                    .AddNode("ask", (s, context) => new ValueTask<NodeResult<S>>(new S.Update { Summary = context.Interrupt<string>("ok?") }))
                    .AddEdge(Graph.Start, "ask")
                    .Compile(new CompileOptions { Checkpointer = checkpointer });
                await durable.InvokeAsync(new S());

                var passed = new StateGraph<S>()
                    .AddNode("ask", (s, context) => new ValueTask<NodeResult<S>>(new S.Update { Summary = context.Interrupt<string>("ok?") }));
                Extend(passed);
                await passed.Compile().InvokeAsync(new S());

                NodeHandler<S> handler = (s, context) => new ValueTask<NodeResult<S>>(new S.Update { Summary = context.Interrupt<string>("ok?") });
                await new StateGraph<S>().AddNode("ask", handler).AddEdge(Graph.Start, "ask").Compile().InvokeAsync(new S());

                await new StateGraph<S>()
                    .AddNode("nested", (s, context) =>
                    {
                        System.Func<string> later = () => context.Interrupt<string>("later");
                        return new ValueTask<NodeResult<S>>(new S.Update());
                    })
                    .AddEdge(Graph.Start, "nested")
                    .Compile()
                    .InvokeAsync(new S());
            }

            private static void Extend(StateGraph<S> graph)
            {
        """));
    [Fact]
    public Task Nested_graph_classes_and_generic_callers() => Verify.VerifyAsync(Code(
        """
                await new Outer.Inner().{|DFLOW0305:Compile()|}.InvokeAsync(new S());
            }

            public static async Task Generic<T>(T value)
            {
                var app = new Outer.Inner().{|DFLOW0305:Compile(new CompileOptions())|};
                await app.InvokeAsync(new S { Query = value?.ToString() ?? "" });
        """,
        """
        public static partial class Outer
        {
            [Graph<S>]
            public partial class Inner
            {
                [Node, Edge(From = Graph.Start), Edge(Graph.End)]
                S.Update Ask(S s, NodeContext context) => new() { Summary = context.Interrupt<string>("approve?") };
            }
        }

        """));
}
