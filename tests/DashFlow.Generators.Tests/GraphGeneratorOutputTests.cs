using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The generated graph file for several inputs, compared with committed golden files
/// (<c>Baselines/&lt;Test&gt;/&lt;HintName&gt;.cs.txt</c>), and compiled: no error, no warning (nullable and docs included).
/// Set <c>DASHFLOW_UPDATE_BASELINES=1</c> to rewrite the golden files after a deliberate change; CI refuses to run with it.
/// </summary>
public sealed class GraphGeneratorOutputTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Threading;
        using System.Threading.Tasks;
        using DashFlow;

        """;

    [Fact]
    public void GraphResearch() => Verify(Usings + """
        namespace MyApp;

        public sealed record WorkItem(string Name);

        public interface IService
        {
            int Budget { get; }
        }

        /// <summary>The example from the design page.</summary>
        [Graph<ResearchState>]
        public partial class ResearchGraph(IService dep)
        {
            [Node, Edge(From = Graph.Start)]
            [Edge(nameof(Search)), Edge(nameof(Browse))]
            async ValueTask<ResearchState.Update> Plan(ResearchState s, CancellationToken ct)
            {
                await Task.Delay(0, ct);
                return new() { Tokens = dep.Budget };
            }

            [Node, Edge(nameof(Write))] ResearchState.Update Search(ResearchState s) => new();

            [Node] ResearchState.Update Browse(ResearchState s) => new();

            [Node, Join(nameof(Search), nameof(Browse)), Route(nameof(Review))]
            async Task<ResearchState.Update> Write(ResearchState s, CancellationToken ct)
            {
                await Task.Delay(0, ct);
                return new();
            }

            [Router(Targets = [nameof(Write), Graph.End])]
            Target Review(ResearchState s) => s.Tokens > 10_000 ? Target.End : Target.Write;

            [Node(Defer = true, TimeoutMilliseconds = 5000), Retry(MaxAttempts = 3)] void Audit(ResearchState s) { }

            [Node] ResearchState.Update Worker(WorkItem item) => new();

            [Node] Command<ResearchState> Decide(ResearchState s, NodeContext ctx) => new() { Goto = [new Send(NodeIds.Worker, new WorkItem(ctx.Node))] };
        }

        """ + GraphGeneratorHarness.GraphState("ResearchState"));

    [Fact]
    public void GraphNodeShapes() => Verify(Usings + """
        namespace Shapes;

        public sealed record Item(string Name);

        /// <summary>Every supported node signature.</summary>
        [Graph<S>]
        public partial class NodeShapes
        {
            // Results, synchronous.
            [Node, Edge(From = Graph.Start)] S.Update SyncUpdate(S s) => new();
            [Node] S.Update? SyncNullableUpdate(S s) => null;
            [Node] StateUpdate<S> SyncBaseUpdate(S s) => new S.Update();
            [Node] Command<S> SyncCommand(S s) => new();
            [Node] Command<S>? SyncNullableCommand(S s) => null;
            [Node] void SyncVoid(S s) { }

            // Results, asynchronous.
            [Node] Task<S.Update> TaskUpdate(S s) => Task.FromResult(new S.Update());
            [Node] ValueTask<S.Update> ValueTaskUpdate(S s) => new(new S.Update());
            [Node] ValueTask<S.Update?> ValueTaskNullableUpdate(S s) => new((S.Update?)null);
            [Node] Task<StateUpdate<S>?> TaskNullableBaseUpdate(S s) => Task.FromResult<StateUpdate<S>?>(null);
            [Node] Task<Command<S>> TaskCommand(S s) => Task.FromResult(new Command<S>());
            [Node] ValueTask<Command<S>?> ValueTaskNullableCommand(S s) => new((Command<S>?)null);
            [Node] Task TaskVoid(S s) => Task.CompletedTask;
            [Node] ValueTask ValueTaskVoid(S s) => default;

            // Parameters.
            [Node] S.Update WithToken(S s, CancellationToken ct) => new();
            [Node] S.Update WithContext(S s, NodeContext context) => new();
            [Node] S.Update WithTokenAndContext(S s, CancellationToken ct, NodeContext context) => new();
            [Node] S.Update WithContextAndToken(S s, NodeContext context, CancellationToken ct) => new();

            // Send arguments.
            [Node] S.Update ItemArg(Item item) => new();
            [Node] async ValueTask<S.Update> ItemArgAsync(Item item, CancellationToken ct) { await Task.Yield(); return new(); }
            [Node] void NullableStringArg(string? text, NodeContext context) { }
            [Node] S.Update IntArg(int number) => new();
            [Node] S.Update ListArg(List<Item> items, NodeContext context, CancellationToken ct) => new();

            // Static, any accessibility, an escaped name, a custom name.
            [Node] public static S.Update PublicStatic(S s) => new();
            [Node] internal S.Update InternalNode(S s) => new();
            [Node] protected S.Update ProtectedNode(S s) => new();
            [Node] private static async Task<S.Update> PrivateStaticAsync(S s, CancellationToken ct) { await Task.Yield(); return new(); }
            [Node, Edge(nameof(SyncVoid))] S.Update @event(S s) => new();
            [Node(Name = "custom name"), Edge(From = nameof(SyncUpdate)), Edge(nameof(Options))] S.Update Renamed(S s) => new();

            // Options.
            [Node(Defer = true, TimeoutMilliseconds = 250, Destinations = [nameof(Renamed), nameof(SyncVoid), Graph.End])]
            [Retry(MaxAttempts = 5, InitialIntervalMilliseconds = 10, BackoffFactor = 1.5, MaxIntervalMilliseconds = 1000, Jitter = false,
                RetryOn = [typeof(System.TimeoutException), typeof(System.IO.IOException)])]
            S.Update Options(S s) => new();
            [Node, Retry] void DefaultRetry(S s) { }
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphRouterShapes() => Verify(Usings + """
        namespace Routers;

        /// <summary>Every supported router signature.</summary>
        [Graph<S>]
        public partial class RouterShapes
        {
            [Node, Edge(From = Graph.Start), Route(nameof(One)), Route(nameof(OneWithToken)), Route(nameof(Many)), Route(nameof(ManyArray))]
            S.Update A(S s) => new();

            [Node(Name = "b node"), Route(nameof(ManyList)), Route(nameof(AnyTarget)), Route(nameof(OneSend))]
            S.Update B(S s) => new();

            [Node, Route(nameof(Sends)), Route(nameof(SendList)), Route(nameof(Name)), Route(nameof(NullableName)), Route(nameof(Names))]
            S.Update C(S s) => new();

            [Node] S.Update Worker(string arg) => new();

            [Router(Targets = [nameof(B), Graph.End])]
            Target One(S s) => Target.B;

            [Router(Targets = [nameof(C)])]
            static Target OneWithToken(S s, CancellationToken ct) => Target.C;

            [Router(Targets = [nameof(B), nameof(C)])]
            IEnumerable<Target> Many(S s) => [Target.B, Target.C];

            [Router(Targets = [Graph.End, nameof(A)])]
            Target[] ManyArray(S s) => [Target.End];

            [Router(Targets = [nameof(C)])]
            List<Target> ManyList(S s) => [Target.C];

            [Router]
            ImmutableArray<Target> AnyTarget(S s) => [Target.End];

            [Router(Targets = [nameof(Worker)])]
            Send OneSend(S s) => new(NodeIds.Worker, "x");

            [Router]
            IEnumerable<Send> Sends(S s, CancellationToken ct) => [new(NodeIds.Worker, "y")];

            [Router(Targets = [nameof(Worker)])]
            List<Send> SendList(S s) => [];

            [Router(Targets = [nameof(A), Graph.End])]
            string Name(S s) => Graph.End;

            [Router]
            string? NullableName(S s) => null;

            [Router(Targets = [nameof(A), nameof(B)], From = nameof(A))]
            IEnumerable<string> Names(S s) => [NodeIds.A];
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphConditionalEntry() => Verify(Usings + """
        namespace Entry;

        /// <summary>A router picks the first node.</summary>
        [Graph<S>]
        public partial class ConditionalEntry
        {
            [Router(From = Graph.Start, Targets = [nameof(Small), nameof(Large)])]
            static Target Choose(S s) => s.Tokens > 100 ? Target.Large : Target.Small;

            [Node, Edge(Graph.End)] S.Update Small(S s) => new();

            [Node, Edge(Graph.End)] S.Update Large(S s) => new();
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphGlobalNamespace() => Verify(Usings + """
        /// <summary>A graph in the global namespace over an internal state: Compile is internal too.</summary>
        [Graph<GlobalState>]
        public partial class GlobalGraph
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)] GlobalState.Update Only(GlobalState s) => new();
        }

        """ + GraphGeneratorHarness.GraphState("GlobalState", "internal"));

    [Fact]
    public void GraphNested() => Verify(Usings + """
        namespace Outer.Space;

        /// <summary>Holds graphs.</summary>
        public static partial class Workflows
        {
            /// <summary>Holds more graphs.</summary>
            public partial record Inner
            {
                /// <summary>A graph nested in two types.</summary>
                [Graph<S>]
                public partial class NestedGraph
                {
                    [Node, Edge(From = Graph.Start), Route(nameof(Again))] S.Update Step(S s) => new();

                    [Router(Targets = [nameof(Step), Graph.End])] Target Again(S s) => Target.End;
                }
            }
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphUnsupportedMembers() => Verify(Usings + """
        namespace Broken;

        /// <summary>Unsupported members are left out; the rest still compiles and runs.</summary>
        [Graph<S>]
        public partial class Unsupported
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(TwoStates)), Route(nameof(BadRouter)), Route(nameof(NotARouter))]
            S.Update Good(S s) => new();

            [Node] S.Update TwoStates(S s, S other) => new();

            [Node] int WrongReturn(S s) => 0;

            [Node] S.Update Generic<T>(S s) => new();

            [Node] S.Update ByRef(ref S s) => new();

            [Node] S.Update End(S s) => new();

            [Router] Target BadRouter(S s, int extra) => Target.Good;

            void NotARouter(S s) { }
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphHandWrittenState() => Verify(Usings + """
        namespace HandWritten;

        /// <summary>
        /// A state that implements the contract itself, so its Update is already bound when the generator runs (as for a
        /// state from another assembly).
        /// </summary>
        [Graph<S>]
        public partial class HandWrittenGraph
        {
            [Node, Edge(From = Graph.Start)] S.Update Sync(S s) => new();
            [Node] S.Update? SyncNullable(S s) => null;
            [Node] StateUpdate<S> SyncBase(S s) => new S.Update();
            [Node] ValueTask<S.Update?> ValueTaskNullable(S s) => new((S.Update?)null);
            [Node] Task<StateUpdate<S>?> TaskNullableBase(S s) => Task.FromResult<StateUpdate<S>?>(null);
        }

        """ + GraphGeneratorHarness.HandWrittenState("S"));

    [Fact]
    public void GraphStateNotGraphState() => Verify(Usings + """
        namespace Fallback;

        /// <summary>Not a graph state: no IGraphState, no [GraphState].</summary>
        public sealed record Plain
        {
            /// <summary>A field.</summary>
            public int Tokens { get; init; }
        }

        /// <summary>Only the declarations are generated, so code naming Target and NodeIds still compiles.</summary>
        [Graph<Plain>]
        public partial class PlainGraph
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Next))] void First(Plain s) { }

            [Router] Target Next(Plain s) => s.Tokens > 0 ? Target.First : Target.End;

            /// <summary>Names a node.</summary>
            public static string FirstName => NodeIds.First;
        }

        """);

    [Fact]
    public void GraphGenericClass() => Verify(Usings + """
        namespace Fallback;

        /// <summary>A generic graph class: only the declarations are generated.</summary>
        [Graph<S>]
        public partial class GenericGraph<T>
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Next))] S.Update First(S s) => new();

            [Router] Target Next(S s) => Target.End;
        }

        """ + GraphGeneratorHarness.GraphState("S"));

    [Fact]
    public void GraphNotPartial()
    {
        // Nothing is generated: a partial declaration would add an error of its own.
        var (result, _) = GraphGeneratorHarness.Run(Usings + """
            namespace Fallback;

            [Graph<S>]
            public class NotPartial
            {
                [Node, Edge(From = Graph.Start)] S.Update First(S s) => new();
            }

            """ + GraphGeneratorHarness.GraphState("S"));

        Assert.Empty(GraphGeneratorHarness.GraphSources(result));
        Assert.Empty(result.Diagnostics);
    }

    /// <summary>Runs the generator, compares its files with the baselines of the calling test and compiles the result.</summary>
    private static void Verify(string source, [CallerMemberName] string test = "")
    {
        var (result, output) = GraphGeneratorHarness.Run(source);

        // The generator reports nothing; analyzers do.
        Assert.Empty(result.Diagnostics);

        var generated = GraphGeneratorHarness.GraphSources(result);
        var directory = Path.Combine(GraphGeneratorHarness.SourceDirectory(), "Baselines", test);
        if (Environment.GetEnvironmentVariable("DASHFLOW_UPDATE_BASELINES") == "1")
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            foreach (var file in generated)
            {
                File.WriteAllText(Path.Combine(directory, file.HintName + ".txt"), file.SourceText.ToString());
            }
        }

        var expectedFiles = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.cs.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()
            : [];
        Assert.Equal(expectedFiles, generated.Select(f => f.HintName + ".txt").ToArray());
        foreach (var file in generated)
        {
            var expected = File.ReadAllText(Path.Combine(directory, file.HintName + ".txt")).ReplaceLineEndings("\n");
            var actual = file.SourceText.ToString().ReplaceLineEndings("\n");
            if (expected != actual)
            {
                Assert.Fail($"{file.HintName} differs from Baselines/{test}/{file.HintName}.txt (run with DASHFLOW_UPDATE_BASELINES=1 to accept):\n{FirstDifference(expected, actual)}");
            }
        }

        var problems = GraphGeneratorHarness.Problems(output);
        Assert.True(problems.Count == 0, "The output does not compile cleanly:\n" + string.Join("\n", problems));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"line {i + 1}\n  expected: {e}\n  actual:   {a}";
            }
        }

        return "(no line differs)";
    }
}
