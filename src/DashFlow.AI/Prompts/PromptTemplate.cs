using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// A prompt with <c>{variable}</c> placeholders, parsed once and filled per call. <c>{{</c> and <c>}}</c> stand for
/// literal braces. A placeholder without a value is an error naming it, never an empty string sent to the model.
/// </summary>
/// <example><code>
/// var prompt = new PromptTemplate("Summarize {document} for {audience}.");
/// var text = prompt.Format(new Dictionary&lt;string, object?&gt; { ["document"] = doc, ["audience"] = "engineers" });
/// </code></example>
public sealed class PromptTemplate
{
    // Literal text and variable names alternate: even indexes are text, odd indexes are names.
    private readonly string[] _parts;

    /// <summary>Parses <paramref name="template"/>.</summary>
    /// <param name="template">The text with <c>{variable}</c> placeholders.</param>
    /// <exception cref="FormatException">A brace is not closed, or a placeholder is empty or not a name; the message gives the position.</exception>
    public PromptTemplate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        Template = template;
        _parts = Parse(template);
        Variables = [.. _parts.Where((_, i) => i % 2 == 1).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The template text.</summary>
    public string Template { get; }

    /// <summary>The variables it uses, in order of first use.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Fills the placeholders.</summary>
    /// <param name="values">A value per variable (formatted in the invariant culture); extra values are ignored.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="KeyNotFoundException">A variable has no value; the message names every missing one.</exception>
    public string Format(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var missing = Variables.Where(v => !values.ContainsKey(v)).ToList();
        if (missing.Count > 0)
        {
            throw new KeyNotFoundException(
                $"The prompt template needs {(missing.Count == 1 ? "variable" : "variables")} {string.Join(", ", missing.Select(m => $"'{m}'"))}, " +
                $"which {(missing.Count == 1 ? "was" : "were")} not given (given: {(values.Count == 0 ? "none" : string.Join(", ", values.Keys.Select(k => $"'{k}'")))}).");
        }

        var text = new StringBuilder(Template.Length * 2);
        for (var i = 0; i < _parts.Length; i++)
        {
            text.Append(i % 2 == 0 ? _parts[i] : Convert.ToString(values[_parts[i]], CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Fills the placeholders from name/value pairs.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="KeyNotFoundException">A variable has no value; the message names it.</exception>
    public string Format(params (string Name, object? Value)[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            map[name] = value;
        }

        return Format(map);
    }

    /// <summary>Fills the placeholders and wraps the text in a chat message.</summary>
    /// <param name="role">The message's role.</param>
    /// <param name="values">The values.</param>
    /// <returns>The message.</returns>
    public ChatMessage ToMessage(ChatRole role, IReadOnlyDictionary<string, object?> values) => new(role, Format(values));

    /// <inheritdoc/>
    public override string ToString() => Template;

    private static string[] Parse(string template)
    {
        var parts = new List<string>();
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new FormatException($"The prompt template has a '{{' at position {i} that is never closed. Write '{{{{' for a literal brace.");
                }

                var name = template[(i + 1)..end].Trim();
                if (name.Length == 0 || !name.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '.'))
                {
                    throw new FormatException($"The prompt template has a placeholder '{template[i..(end + 1)]}' at position {i} that is not a variable name (letters, digits, '_', '-', '.'). Write '{{{{' for a literal brace.");
                }

                parts.Add(text.ToString());
                parts.Add(name);
                text.Clear();
                i = end;
            }
            else if (c == '}')
            {
                throw new FormatException($"The prompt template has a '}}' at position {i} with no '{{' before it. Write '}}}}' for a literal brace.");
            }
            else
            {
                text.Append(c);
            }
        }

        parts.Add(text.ToString());
        return [.. parts];
    }
}
