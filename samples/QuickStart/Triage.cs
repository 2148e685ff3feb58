using System.Collections.Immutable;
using DashFlow;
using static DashFlow.Reduce;

namespace QuickStart;

/// <summary>A document to triage.</summary>
public sealed record Document(string Name, string Text);

/// <summary>What one analyzer concluded about one document.</summary>
public sealed record Finding(string Document, string Analyzer, string Label, double Confidence);

/// <summary>The workflow's state: every field has a reducer that says how parallel writes combine.</summary>
[GraphState]
public partial record TriageState
{
    public string Folder { get; init; } = "";

    public ImmutableList<Document> Documents { get; init; } = [];

    [Reducer(Append)] public ImmutableList<Finding> Findings { get; init; } = [];

    [Reducer(Merge)] public ImmutableDictionary<string, string> Queues { get; init; } = ImmutableDictionary<string, string>.Empty;

    [Reducer(Sum)] public int ReviewRounds { get; init; }

    public string Report { get; init; } = "";
}

/// <summary>
/// Triage of a folder of support messages: load them, run two analyzers in parallel, join their findings, assign each
/// document a queue, and send unclear documents through a review loop before writing the report.
/// </summary>
[Graph<TriageState>]
public partial class TriageGraph(Rules rules)
{
    [Node, Edge(From = Graph.Start), Edge(nameof(Categorize)), Edge(nameof(Sentiment))]
    private async ValueTask<TriageState.Update> Load(TriageState state, NodeContext context)
    {
        var documents = new List<Document>();
        foreach (var path in Directory.EnumerateFiles(state.Folder, "*.txt").Order(StringComparer.Ordinal))
        {
            documents.Add(new Document(Path.GetFileNameWithoutExtension(path), await File.ReadAllTextAsync(path, context.CancellationToken)));
        }

        await context.EmitAsync($"loaded {documents.Count} documents from {state.Folder}");
        return new() { Documents = [.. documents] };
    }

    [Node]
    private TriageState.Update Categorize(TriageState state) =>
        new() { Findings = [.. state.Documents.Select(d => rules.Categorize(d))] };

    [Node]
    private TriageState.Update Sentiment(TriageState state) =>
        new() { Findings = [.. state.Documents.Select(d => rules.Sentiment(d))] };

    [Node, Join(nameof(Categorize), nameof(Sentiment)), Route(nameof(Review))]
    private TriageState.Update Assign(TriageState state)
    {
        var queues = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var document in state.Documents)
        {
            var category = Best(state, document.Name, "category");
            var mood = Best(state, document.Name, "sentiment");
            var priority = mood?.Label == "angry" || Rules.SaysUrgent(document) ? "high" : "normal";
            queues[document.Name] = category is { Confidence: >= Rules.Confident } ? $"{category.Label}/{priority}" : "unclear";
        }

        return new() { Queues = queues.ToImmutable() };
    }

    [Router(Targets = [nameof(Refine), nameof(Write)])]
    private Target Review(TriageState state) =>
        state.Queues.ContainsValue("unclear") && state.ReviewRounds < 2 ? Target.Refine : Target.Write;

    [Node, Edge(nameof(Assign))]
    private async ValueTask<TriageState.Update> Refine(TriageState state, NodeContext context)
    {
        var unclear = state.Documents.Where(d => state.Queues.GetValueOrDefault(d.Name) == "unclear").ToList();
        await context.EmitAsync($"review round {state.ReviewRounds + 1}: {unclear.Count} unclear document(s)");
        return new() { Findings = [.. unclear.Select(d => rules.CategorizeCarefully(d, state.ReviewRounds + 1))], ReviewRounds = 1 };
    }

    [Node, Edge(Graph.End)]
    private TriageState.Update Write(TriageState state)
    {
        var lines = state.Queues.OrderBy(q => q.Value, StringComparer.Ordinal).ThenBy(q => q.Key, StringComparer.Ordinal)
            .Select(q => $"  {q.Value,-18} {q.Key}");
        return new() { Report = $"Triage of {state.Documents.Count} documents after {state.ReviewRounds} review round(s):\n" + string.Join('\n', lines) };
    }

    private static Finding? Best(TriageState state, string document, string analyzer) =>
        state.Findings.Where(f => f.Document == document && f.Analyzer == analyzer).MaxBy(f => f.Confidence);
}
