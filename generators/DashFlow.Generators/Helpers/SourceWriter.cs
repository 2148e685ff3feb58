using System.Text;

namespace DashFlow.Generators.Helpers;

/// <summary>Writes indented C# text. The only way generated code is produced: no syntax trees, no templates.</summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;
    private readonly StringBuilder _text = new();
    private int _indent;

    public int Indentation
    {
        get => _indent;
        set => _indent = value < 0 ? throw new ArgumentOutOfRangeException(nameof(value)) : value;
    }

    /// <summary>Writes one line at the current indentation; an empty string writes a blank line.</summary>
    public SourceWriter WriteLine(string line = "")
    {
        if (line.Length == 0)
        {
            _text.Append('\n');
            return this;
        }

        // A multi-line string is indented line by line, so raw string literals can hold whole blocks.
        foreach (var part in line.Replace("\r\n", "\n").Split('\n'))
        {
            if (part.Length > 0)
            {
                _text.Append(' ', _indent * IndentSize);
            }

            _text.Append(part).Append('\n');
        }

        return this;
    }

    /// <summary>Writes <paramref name="line"/>, then an opening brace, and indents.</summary>
    public SourceWriter OpenBlock(string line)
    {
        WriteLine(line);
        WriteLine("{");
        _indent++;
        return this;
    }

    /// <summary>Outdents and writes a closing brace followed by <paramref name="suffix"/>.</summary>
    public SourceWriter CloseBlock(string suffix = "")
    {
        _indent--;
        WriteLine("}" + suffix);
        return this;
    }

    public override string ToString() => _text.ToString();
}
