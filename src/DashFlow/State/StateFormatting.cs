using System.Collections;
using System.Globalization;

namespace DashFlow;

/// <summary>Short, culture-invariant renderings of field values for messages and logs.</summary>
internal static class StateFormatting
{
    private const int MaxItems = 8;

    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + (s.Length > 80 ? s[..77] + "..." : s) + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => FormatSequence(e),
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static string FormatSequence(IEnumerable items)
    {
        var parts = new List<string>();
        var count = 0;
        foreach (var item in items)
        {
            if (count++ < MaxItems)
            {
                parts.Add(Format(item));
            }
        }

        if (count > MaxItems)
        {
            parts.Add($"... {count - MaxItems} more");
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
