namespace DashFlow.Analyzers.Tests.EndToEnd;

/// <summary>
/// The project a user writes: a package reference to DashFlow and graphs with mistakes. A comment
/// <c>// expect: DFLOWnnnn</c> marks each line a diagnostic must be reported on.
/// </summary>
internal static class UserProject
{
    public static string ProjectFile(string version) => $$"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="DashFlow" Version="{{version}}" />
          </ItemGroup>
        </Project>
        """;

    public const string Source = """
        using System.Collections.Immutable;
        using DashFlow;
        using static DashFlow.Reduce;

        namespace Tickets;

        [GraphState]
        public partial record TicketState
        {
            public string Title { get; init; } = "";
            public List<string> Notes { get; init; } = []; // expect: DFLOW0003
            [Reducer(Append)] public int Count { get; init; } // expect: DFLOW0002
            [Reducer(Append)] public ImmutableList<string> Labels { get; init; } = [];
        }

        [GraphState]
        public record Draft // expect: DFLOW0001
        {
            public string Text { get; init; } = "";
        }

        [Graph<TicketState>]
        public partial class TriageGraph
        {
            [Node, Edge(From = Graph.Start), Edge("classify")] // expect: DFLOW0103
            TicketState.Update Load(TicketState s) => new() { Title = "t" };

            [Node, Edge(Graph.End)]
            TicketState.Update Classify(TicketState s) => new() { Labels = ["bug"] };
        }

        [Graph<TicketState>]
        public partial class ReviewGraph
        {
            [Node, Edge(From = Graph.Start), Route(nameof(Decide))]
            TicketState.Update Open(TicketState s) => new();

            [Node, Edge(Graph.End)]
            TicketState.Update Approve(TicketState s) => new();

            [Node]
            TicketState.Update Reject(TicketState s) => new(); // expect: DFLOW0102

            [Node, Edge(Graph.End)]
            TicketState.Update Forgotten(TicketState s) => new(); // expect: DFLOW0101

            [Router(Targets = [nameof(Approve), nameof(Reject)])]
            Target Decide(TicketState s) => s.Title.Length == 0 ? Target.End : Target.Approve; // expect: DFLOW0202
        }

        [Graph<TicketState>]
        public partial class FanOutGraph
        {
            [Node, Edge(From = Graph.Start), Edge(nameof(Left)), Edge(nameof(Right))]
            TicketState.Update Split(TicketState s) => new();

            [Node, Edge(Graph.End)]
            TicketState.Update Left(TicketState s) => new() { Title = "left", Labels = ["l"] };

            [Node, Edge(Graph.End)]
            TicketState.Update Right(TicketState s) => new() { Labels = ["r"], Title = "right" }; // expect: DFLOW0107
        }

        [Graph<TicketState>]
        public partial class EscalationGraph
        {
            [Node, Edge(From = Graph.Start), Edge(Graph.End)]
            TicketState.Update Ask(TicketState s, NodeContext context) => new() { Title = context.Interrupt<string>("New title?") };
        }

        public static class Builder
        {
            public static CompiledGraph<TicketState> Build() => new StateGraph<TicketState>()
                .AddNode("load", s => null)
                .AddEdge(Graph.Start, "load")
                .AddEdge("load", "store") // expect: DFLOW0103
                .Compile();

            public static CompiledGraph<TicketState> Parallel() => new StateGraph<TicketState>()
                .AddNode("split", s => null)
                .AddNode("left", s => new TicketState.Update { Title = "left" })
                .AddNode("right", s => new TicketState.Update { Title = "right" }) // expect: DFLOW0107
                .AddEdge(Graph.Start, "split")
                .AddEdge("split", "left")
                .AddEdge("split", "right")
                .AddEdge("left", Graph.End)
                .AddEdge("right", Graph.End)
                .Compile();

            public static async Task Escalate() =>
                await new EscalationGraph().Compile().InvokeAsync(new TicketState()); // expect: DFLOW0305

            public static CompiledGraph<TicketState> Valid() =>
                new TriageGraph().Compile(); // the generated Compile() exists: the generators ran from the package
        }
        """;

    /// <summary>The (line, id) pairs the <c>// expect:</c> comments of <see cref="Source"/> ask for.</summary>
    public static IReadOnlySet<(int Line, string Id)> Expected()
    {
        var expected = new HashSet<(int, string)>();
        var lines = Source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = lines[i].IndexOf("// expect: ", StringComparison.Ordinal);
            if (marker >= 0)
            {
                foreach (var id in lines[i][(marker + "// expect: ".Length)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    expected.Add((i + 1, id));
                }
            }
        }

        return expected;
    }
}
