namespace DashFlow.AI.ScriptedServer;

/// <summary>Cuts text into pieces the way a stream delivers it, so that consumers see several deltas.</summary>
internal static class TextChunker
{
    /// <summary>
    /// Splits <paramref name="text"/> into pieces of leading whitespace plus at most <paramref name="letters"/> other
    /// characters, roughly the size of model tokens. The pieces concatenate to the text exactly.
    /// </summary>
    public static List<string> Tokens(string text, int letters = 4)
    {
        var pieces = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = start;
            while (end < text.Length && char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            var taken = 0;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && taken < letters)
            {
                // Never cut a surrogate pair: each half alone is not valid UTF-16 and would not survive JSON.
                end += char.IsHighSurrogate(text[end]) && end + 1 < text.Length ? 2 : 1;
                taken++;
            }

            pieces.Add(text[start..end]);
            start = end;
        }

        return pieces;
    }

    /// <summary>Splits <paramref name="text"/> into pieces of at most <paramref name="size"/> characters.</summary>
    public static List<string> Fixed(string text, int size = 8)
    {
        var pieces = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(start + size, text.Length);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            {
                end++;
            }

            pieces.Add(text[start..end]);
            start = end;
        }

        return pieces;
    }
}
