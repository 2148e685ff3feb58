using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ResearchAgent.Tools;

/// <summary>
/// Searches a folder of <c>.md</c> and <c>.txt</c> notes. Each paragraph is a passage; a passage scores the rarer query
/// words it shares with the query (each word counts once, weighted by how few passages hold it, so that "earth" counts
/// for less than "marathon"), and the best passages come back with their file names. No index, no embeddings: a dozen
/// notes are read once and searched in memory.
/// </summary>
internal sealed partial class NoteSearch
{
    /// <summary>How many passages a search returns at most.</summary>
    public const int MaxResults = 3;

    // Words that say nothing about a note's subject; questions are full of them.
    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from", "has", "have",
        "how", "i", "if", "in", "is", "it", "it's", "its", "many", "much", "of", "on", "or", "so", "than", "that", "the",
        "there", "this", "to", "was", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
    };

    private readonly IReadOnlyList<Passage> _passages;
    private readonly Dictionary<string, double> _weights;

    private NoteSearch(string folder, IReadOnlyList<Passage> passages)
    {
        Folder = folder;
        _passages = passages;

        // A word held by few passages tells more about where the answer is than one held by many.
        _weights = passages.SelectMany(p => p.Words).CountBy(w => w, StringComparer.Ordinal)
            .ToDictionary(c => c.Key, c => Math.Log(1 + (double)passages.Count / c.Value), StringComparer.Ordinal);
        Files = [.. passages.Select(p => p.File).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The folder the notes came from.</summary>
    public string Folder { get; }

    /// <summary>The note files, by name.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Reads every <c>.md</c> and <c>.txt</c> file of <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidOperationException">The folder holds no notes.</exception>
    public static NoteSearch Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The notes folder '{folder}' does not exist.");
        }

        var passages = new List<Passage>();
        foreach (var path in Directory.EnumerateFiles(folder).Where(IsNote).Order(StringComparer.Ordinal))
        {
            passages.AddRange(Split(Path.GetFileName(path), File.ReadAllText(path)));
        }

        return passages.Count > 0
            ? new NoteSearch(folder, passages)
            : throw new InvalidOperationException($"The notes folder '{folder}' holds no .md or .txt file with text.");
    }

    /// <summary>The best passages for <paramref name="query"/>, best first; ties keep the files' alphabetical order.</summary>
    public IReadOnlyList<SearchHit> Search(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var wanted = Words(query).ToHashSet(StringComparer.Ordinal);
        return [.. _passages
            .Select(p => new SearchHit(p.File, p.Text, p.Words.Where(wanted.Contains).Sum(w => _weights[w])))
            .Where(h => h.Score > 0)
            .OrderByDescending(h => h.Score)
            .Take(MaxResults)];
    }

    /// <summary>The search as the model reads it: one line per passage, <c>[file] text</c>, or why nothing matched.</summary>
    public string SearchAsText(string query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "The query is empty: give a few words about what to look for, such as \"distance to the Moon\".";
        }

        var hits = Search(query);
        if (hits.Count == 0)
        {
            return $"No note matches \"{query}\". The notes are {string.Join(", ", Files)}; try words they would use.";
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Best passages for \"{query}\":");
        foreach (var hit in hits)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[{hit.File}] {hit.Text}");
        }

        return text.ToString();
    }

    /// <summary>The words of <paramref name="text"/> that can match: lower case, without stop words, plurals folded.</summary>
    internal static IEnumerable<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant())
            .Select(m => m.Value)
            .Where(w => !s_stopWords.Contains(w))
            .Select(Fold);

    // "takes" matches "take", "seconds" matches "second"; crude, but it is the mistake a reader forgives.
    private static string Fold(string word) =>
        word.EndsWith("'s", StringComparison.Ordinal) ? word[..^2]
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1]
        : word;

    private static bool IsNote(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".md" or ".txt";

    /// <summary>Paragraphs (text between blank lines) as single lines; a Markdown heading only names the note.</summary>
    private static IEnumerable<Passage> Split(string file, string text)
    {
        var title = "";
        foreach (var paragraph in ParagraphBreak().Split(text.ReplaceLineEndings("\n")))
        {
            var lines = paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var body = string.Join(' ', lines.Where(l => !l.StartsWith('#')));
            title = lines.FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim() ?? title;
            if (body.Length > 0)
            {
                // The heading's words count for every passage under it: "The Moon" makes "it" findable as the Moon.
                yield return new Passage(file, body, [.. Words(title + " " + body).Distinct(StringComparer.Ordinal)]);
            }
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    private sealed record Passage(string File, string Text, IReadOnlyList<string> Words);
}
