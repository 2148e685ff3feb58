using System.Collections;
using System.Reflection;
using DashFlow.Generators.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The parser lists what is wrong in plain data, for the analyzers to report; the generator itself reports nothing and
/// leaves the offending members out.
/// </summary>
public sealed class GraphGeneratorParserTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using DashFlow;

        """;

    [Fact]
    public void Unsupported_members_are_listed_by_kind_and_member()
    {
        var problems = ParseProblems(Usings + """
            namespace Broken;

            [Graph<S>]
            public partial class G
            {
                [Node, Edge(From = Graph.Start), Route(nameof(BadRouter)), Route(nameof(Missing))]
                S.Update Good(S s) => new();

                [Node] int WrongReturn(S s) => 0;

                [Node] S.Update TwoTokens(S s, CancellationToken a, CancellationToken b) => new();

                [Node] S.Update End(S s) => new();

                [Node, Router] S.Update Both(S s) => new();

                [Router] Target BadRouter(S s, int extra) => Target.Good;

                [Edge(nameof(Good))] void NotANode(S s) { }

                void Missing(S s) { }
            }

            """ + GraphGeneratorHarness.GraphState("S"));

        Assert.Equal(
            [
                ("NodeAndRouter", "Both"),
                ("AttributeOnNonNode", "NotANode"),
                ("UnsupportedNodeSignature", "WrongReturn"),
                ("UnsupportedNodeSignature", "TwoTokens"),
                ("NodeNamedEnd", "End"),
                ("UnsupportedRouterSignature", "BadRouter"),
                ("UnknownRouter", "Good"),
            ],
            problems);
    }

    [Fact]
    public void Class_level_problems_are_listed_even_when_nothing_is_generated()
    {
        Assert.Equal([("GraphNotPartial", "")], ParseProblems(Usings + """
            [Graph<S>]
            public class NotPartial
            {
                [Node, Edge(From = Graph.Start), Edge(Graph.End)] S.Update Only(S s) => new();
            }

            """ + GraphGeneratorHarness.GraphState("S")));

        Assert.Equal([("StateNotGraphState", "")], ParseProblems(Usings + """
            public sealed record Plain;

            [Graph<Plain>]
            public partial class PlainGraph
            {
                [Node, Edge(From = Graph.Start), Edge(Graph.End)] void Only(Plain s) { }
            }

            """));

        Assert.Equal([("GraphGeneric", ""), ("GraphStatic", "")], ParseProblems(Usings + """
            public static partial class Outer<T>
            {
                [Graph<S>]
                public static partial class Inner
                {
                    [Node, Edge(From = Graph.Start), Edge(Graph.End)] static S.Update Only(S s) => new();
                }
            }

            """ + GraphGeneratorHarness.GraphState("S")));
    }

    [Fact]
    public void A_valid_graph_has_no_problems()
    {
        Assert.Empty(ParseProblems(Usings + """
            [Graph<S>]
            public partial class Fine
            {
                [Node, Edge(From = Graph.Start), Route(nameof(Next))] async Task<S.Update> First(S s, NodeContext context, CancellationToken ct)
                {
                    await Task.Delay(0, ct);
                    return new();
                }

                [Router(Targets = [nameof(First), Graph.End])] Target Next(S s, CancellationToken ct) => Target.End;
            }

            """ + GraphGeneratorHarness.GraphState("S")));
    }

    /// <summary>
    /// Calls the parser the way an analyzer will, with the graph's symbol and attribute, and reads the problems as
    /// (kind, member) pairs. The parser is internal, so it is reached through reflection.
    /// </summary>
    private static List<(string Kind, string Member)> ParseProblems(string source)
    {
        var compilation = GraphGeneratorHarness.CreateCompilation(source);
        var (type, attribute) = compilation.SyntaxTrees
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>().Select(d => compilation.GetSemanticModel(tree).GetDeclaredSymbol(d)))
            .OfType<INamedTypeSymbol>()
            .SelectMany(t => t.GetAttributes().Where(a => a.AttributeClass?.Name == "GraphAttribute").Select(a => (t, a)))
            .Single();
        var parse = typeof(GraphGenerator).GetMethod("Parse", BindingFlags.NonPublic | BindingFlags.Static)!;
        var model = parse.Invoke(null, [type, attribute, CancellationToken.None])!;
        var problems = (IEnumerable)model.GetType().GetProperty("Problems")!.GetValue(model)!;
        return [.. problems.Cast<object>().Select(p => (
            p.GetType().GetProperty("Kind")!.GetValue(p)!.ToString()!,
            (string)p.GetType().GetProperty("Member")!.GetValue(p)!))];
    }
}
