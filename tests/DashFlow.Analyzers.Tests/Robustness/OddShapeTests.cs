using DashFlow.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DashFlow.Analyzers.Tests.Robustness;

/// <summary>
/// Analyzers must never throw: generic, nested and split declarations, missing or wrong attribute arguments, and code
/// that does not compile yet, as it looks while someone is typing.
/// </summary>
public sealed class OddShapeTests
{
    private const string State = """

        [GraphState]
        public partial record S
        {
            public string Query { get; init; } = "";
            [Reducer(Append)] public ImmutableList<string> Sources { get; init; } = [];
        }

        """;

    public static TheoryData<string, string> Shapes => new()
    {
        { "GenericState", "[GraphState] public partial record G<T> { public T? Value { get; init; } public List<T> Items { get; init; } = []; }" },
        { "GenericGraphOverGenericState", "[Graph<S>] public partial class Outer<T> { [Node, Edge(From = Graph.Start)] S.Update A(S s) => new(); public partial class Inner<U> { } }" },
        { "DeeplyNested", "public partial class A { public partial class B { public partial class C { [Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s) => new() { Query = \"\" }; } } } }" },
        { "RecordGraph", "[Graph<S>] public partial record R { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s) => new(); }" },
        { "EmptyGraph", "[Graph<S>] public partial class Empty { }" },
        { "NoArguments", "[Graph<S>] public partial class G { [Node, Edge, Join, Route(null!), Retry] S.Update X(S s) => new(); [Router] Target R(S s) => default; }" },
        { "NullArguments", "[Graph<S>] public partial class G { [Node(Name = null, Destinations = null!), Edge(null!), Edge(From = null)] S.Update X(S s) => new(); [Router(Targets = null!, From = null)] Target R(S s) => default; }" },
        { "WrongArgumentTypes", "[Graph<S>] public partial class G { [Node(Name = 3), Edge(42), Join(1, 2), Route(typeof(S))] S.Update X(S s) => new(); [Router(Targets = [1, 2])] Target R(S s) => (Target)7; }" },
        { "ArraysWrittenEveryWay", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Join(new[] { \"X\", \"Y\" }), Join(new string[] { \"X\" }), Join([\"X\", ..Names])] S.Update X(S s) => new(); static readonly string[] Names = []; [Node(Destinations = new[] { \"X\" }), Edge(From = \"X\")] Command<S> Y(S s) => new(); }" },
        { "UnknownState", "[Graph<Missing>] public partial class G { [Node, Edge(From = Graph.Start)] Missing.Update X(Missing s) => new(); }" },
        { "UnknownTypesEverywhere", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge(nameof(Nope))] Nope X(S s) => new(); [Router(Targets = [nameof(Nope)])] Unknown R(S s, Other o) => Unknown.Value; }" },
        { "UnfinishedAttribute", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge( S.Update X(S s) => new(); }" },
        { "UnfinishedMethod", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start)] S.Update X(S s) => new() { Query = ; [Node] S.Update" },
        { "UnfinishedState", "[GraphState] public partial record T { public string Name { get; init; } = \"\"; [Reducer(] public int Count { get; init; } public List<" },
        { "ReducerOfUnknownType", "[GraphState] public partial record T { [Reducer(typeof(Missing))] public int Count { get; init; } [Reducer((ReducerKind)42)] public int Other { get; init; } [Reducer(Append)] public Missing? Broken { get; init; } }" },
        { "RouterReturningEverything", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Route(nameof(R))] S.Update X(S s) => new(); [Router(Targets = [nameof(X)])] IEnumerable<Target> R(S s) { yield return s.Query switch { \"a\" => Target.X, _ => throw new System.Exception() }; yield return default; yield break; } }" },
        { "RouterWithLocalFunctions", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Route(nameof(R))] S.Update X(S s) => new(); [Router(Targets = [nameof(X), Graph.End])] string R(S s) { string Local() { return \"nowhere\"; } System.Func<string> f = () => \"elsewhere\"; return s.Query.Length > 0 ? Local() : f() ?? Graph.End; } }" },
        { "DuplicateMethodsAndNames", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start)] S.Update X(S s) => new(); [Node] S.Update X(S s, CancellationToken ct) => new(); [Node] S.Update X(S s, NodeContext c) => new(); [Node(Name = \"X\")] S.Update Y(S s) => new(); [Router] Target X(S s) => default; }" },
        { "StaticAndFileLocal", "[Graph<S>] public static partial class G { [Node, Edge(From = Graph.Start), Edge(Graph.End)] static S.Update X(S s) => new(); } [Graph<S>] file partial class F { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s) => new(); }" },
        { "StateGraphOddCalls", "public static class B { public static void M(string? n) { new StateGraph<S>(null).AddNode(null!, s => null).AddEdge(n!, Graph.End).Compile(); var g = new StateGraph<S>(); g = new StateGraph<S>(); g.Compile(); new StateGraph<S>().AddEdge(\"a\", \"b\").ToShape(); var h = new StateGraph<S>(); System.Action a = () => h.AddNode(\"x\", s => null); h.Compile(); new StateGraph<S>().AddNode(\"x\", s => null, options: null).AddConditionalEdges(Graph.Start, s => new[] { new Send(\"x\", 1) }, targets: null).Compile(); } }" },
        { "StateGraphUnfinished", "public static class B { public static void M() { new StateGraph<S>().AddNode(\"a\", s => null).AddEdge(Graph.Start, ).Compile(; var x = new StateGraph<Missing>().AddNode(\"b\", s => null).Compile(); } }" },
        { "InterruptUnfinished", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start)] S.Update X(S s, NodeContext c) => new() { Query = c.Interrupt<string>( }; [Node] S.Update Y(S s, NodeContext c) => new() { Query = c.Interrupt(\"no type\") }; [Node] S.Update Z(S s, NodeContext) => new() { Query = .Interrupt<int>(1) }; } public static class B { public static void M() { new G().Compile(new CompileOptions { Checkpointer = }).InvokeAsync(new S(), new RunConfig { Checkpointer = null, ); var app = new G().Compile(; app.InvokeAsync(; } }" },
        { "InterruptInGenericAndNestedShapes", "public partial class Outer<T> { [Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s, NodeContext c) => new() { Query = c.Interrupt<string>(\"x\") }; } } [Graph<S>] public partial class Open<T> { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s, NodeContext c) => new() { Query = c.Interrupt<T>(default) + \"\" }; } public static class B { public static async Task M<T>() { await new Outer<T>.G().Compile().InvokeAsync(new S()); await new Open<T>().Compile().InvokeAsync(new S()); await new StateGraph<Missing>().AddNode(\"x\", (s, c) => { c.Interrupt<int>(1); return default; }).Compile().InvokeAsync(null!); } }" },
        { "InterruptWithEveryLocalWrite", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update X(S s, NodeContext c) => new() { Query = c.Interrupt<string>(\"x\") }; } public static class B { public static async Task M(bool f) { var cfg = new RunConfig(); (cfg, var n) = (new RunConfig { Checkpointer = null }, 1); ref var r = ref cfg; var o = new CompileOptions(); o ??= new(); var app = new G().Compile(o); (app, var m) = (new G().Compile(), 2); await app.InvokeAsync(new S(), f ? cfg : null); var g = new StateGraph<S>(); g.AddNode(\"x\", (s, c) => new ValueTask<NodeResult<S>>(new S.Update { Query = c.Interrupt<string>(\"x\") })); foreach (var x in new[] { 1 }) { g.Compile(); } var h = new StateGraph<S>().AddNode(\"x\", (s, c) => new ValueTask<NodeResult<S>>(c.Interrupt<S.Update>(1))).Compile(null).Compile(); } }" },
        { "ParallelWritesThroughEveryRoute", "[Graph<S>] public partial class G { [Node, Edge(From = Graph.Start), Edge(nameof(X)), Edge(nameof(Y)), Route(nameof(R))] S.Update W(S s) => new(); [Node(Defer = true), Edge(nameof(X))] S.Update X(S s) => new() { Query = \"x\" }; [Node, Join(nameof(X), nameof(W), \"missing\"), Edge(nameof(W))] S.Update Y(S s) => new() { Query = \"y\" }; [Router] IEnumerable<Send> R(S s) => []; }" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task No_analyzer_throws(string name, string code)
    {
        var diagnostics = await AllAnalyzers.RunAsync(TestSetup.Usings + code + State);
        Assert.All(diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.GetMessage()), $"{name}: {d.Id} has no message."));
    }

    [Fact]
    public async Task Partial_declarations_split_across_files_are_one_graph()
    {
        var diagnostics = await AllAnalyzers.RunAsync(
            TestSetup.Usings + """
            [Graph<S>]
            public partial class G
            {
                [Node, Edge(From = Graph.Start), Edge(nameof(Second))] S.Update First(S s) => new() { Query = "1" };
            }
            """,
            TestSetup.Usings + """
            public partial class G
            {
                [Node, Route(nameof(Next))] S.Update Second(S s) => new();

                [Router(Targets = [nameof(First), Graph.End])] Target Next(S s) => Target.End;
            }
            """,
            TestSetup.Usings + """
            public partial record S
            {
                public int Count { get; init; }
            }
            """ + State);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task A_compilation_without_DashFlow_gets_nothing()
    {
        var compilation = CSharpCompilationWithoutDashFlow("""
            public sealed class GraphStateAttribute : System.Attribute { }
            [GraphState] public record S(int A);
            """);
        var diagnostics = await compilation.WithAnalyzers(AllAnalyzers.Analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task A_large_graph_is_analyzed_in_full()
    {
        // 300 nodes in a chain with a fan-out of ten in the middle; each node has a write.
        var nodes = new System.Text.StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            var edges = i == 299 ? "Edge(Graph.End)" : i == 150 ? string.Join(", ", Enumerable.Range(151, 10).Select(n => $"Edge(nameof(N{n}))")) : $"Edge(nameof(N{i + 1}))";
            var from = i == 0 ? "Edge(From = Graph.Start), " : "";
            nodes.AppendLine($"    [Node, {from}{edges}] S.Update N{i}(S s) => new() {{ Sources = [\"{i}\"] }};");
        }

        var diagnostics = await AllAnalyzers.RunAsync(TestSetup.Usings + "[Graph<S>]\npublic partial class Big\n{\n" + nodes + "}\n" + State);

        Assert.Empty(diagnostics);
    }

    private static Microsoft.CodeAnalysis.CSharp.CSharpCompilation CSharpCompilationWithoutDashFlow(string source) =>
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
            "NoDashFlow",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source)],
            TestSetup.References.Where(r => !(r.Display ?? "").EndsWith("DashFlow.dll", StringComparison.Ordinal)),
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
}
