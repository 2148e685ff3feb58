namespace QuickStart;

/// <summary>Keyword rules standing in for the models a real triage would call.</summary>
public sealed class Rules
{
    public const double Confident = 0.6;

    private static readonly (string Label, string[] Words)[] Categories =
    [
        ("billing", ["invoice", "charged", "refund", "payment", "card"]),
        ("bug", ["crash", "error", "exception", "broken", "fails"]),
        ("feature", ["idea", "would be great", "suggestion", "feature"]),
        ("how-to", ["how do i", "where", "export", "settings"]),
        ("account", ["account", "password", "login"]),
    ];

    private static readonly string[] AngryWords = ["unhappy", "cannot work", "second time", "really"];
    private static readonly string[] HappyWords = ["love", "thank", "great", "happy"];

    public static bool SaysUrgent(Document document)
    {
        var text = document.Text.ToLowerInvariant();
        return text.Contains("urgent", StringComparison.Ordinal) && !text.Contains("not urgent", StringComparison.Ordinal);
    }

    public Finding Categorize(Document document) => Classify(document, depth: 0);

    public Finding CategorizeCarefully(Document document, int round) => Classify(document, round);

    public Finding Sentiment(Document document)
    {
        var text = document.Text.ToLowerInvariant();
        var angry = AngryWords.Count(text.Contains);
        var happy = HappyWords.Count(text.Contains);
        var label = angry > happy ? "angry" : happy > angry ? "happy" : "neutral";
        return new Finding(document.Name, "sentiment", label, Math.Min(1.0, 0.5 + (0.2 * Math.Abs(angry - happy))));
    }

    private static Finding Classify(Document document, int depth)
    {
        // A careful pass also reads the subject line twice as strongly, the way a second reviewer would.
        var text = document.Text.ToLowerInvariant();
        var subject = text.Split('\n')[0];
        var scored = Categories
            .Select(c => (c.Label, Score: c.Words.Count(text.Contains) + (depth > 0 ? 2 * c.Words.Count(subject.Contains) : 0)))
            .OrderByDescending(c => c.Score)
            .ToList();
        var best = scored[0];
        var runnerUp = scored[1].Score;
        var confidence = best.Score == 0 ? 0.0 : Math.Min(1.0, (0.35 * best.Score) - (0.2 * runnerUp) + (0.15 * depth));
        return new Finding(document.Name, "category", best.Score == 0 ? "unknown" : best.Label, Math.Round(confidence, 2));
    }
}
