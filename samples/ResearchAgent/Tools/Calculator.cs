using System.Globalization;

namespace ResearchAgent.Tools;

/// <summary>
/// Evaluates arithmetic the way it is written: <c>+ - * /</c>, parentheses, decimals and unary minus, with the usual
/// precedence, in <see cref="decimal"/> so that <c>0.1 + 0.2</c> is <c>0.3</c>. A recursive-descent parser over
/// <code>
/// expression := term (('+' | '-') term)*
/// term       := factor (('*' | '/') factor)*
/// factor     := ('+' | '-') factor | number | '(' expression ')'
/// </code>
/// Every mistake is a <see cref="CalculationException"/> that quotes the expression and points at the position.
/// </summary>
internal sealed class Calculator
{
    // Deep enough for anything a person or a model writes; shallow enough that the recursion cannot exhaust the stack.
    private const int MaxDepth = 100;

    // The answer is for reading: ten decimals are more than any question here needs, and 1/3 stays short.
    private const string ResultFormat = "0.##########";

    private readonly string _text;
    private int _position;
    private int _depth;

    private Calculator(string text) => _text = text;

    /// <summary>Evaluates <paramref name="expression"/>.</summary>
    /// <exception cref="CalculationException">The expression is empty, malformed, divides by zero or overflows.</exception>
    public static decimal Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new CalculationException("The expression is empty: write arithmetic such as (12 + 3) * 4.");
        }

        var calculator = new Calculator(expression);
        var value = calculator.ParseExpression();
        calculator.SkipSpaces();
        return calculator._position < expression.Length
            ? throw calculator.Unexpected("an operator (+ - * /) or the end")
            : value;
    }

    /// <summary>Evaluates <paramref name="expression"/> and writes the result in invariant culture, rounded to ten decimals.</summary>
    /// <exception cref="CalculationException">See <see cref="Evaluate"/>.</exception>
    public static string EvaluateToText(string expression) => Format(Evaluate(expression));

    /// <summary>The text <see cref="EvaluateToText"/> writes for <paramref name="value"/>.</summary>
    public static string Format(decimal value) => value.ToString(ResultFormat, CultureInfo.InvariantCulture);

    private decimal ParseExpression()
    {
        var value = ParseTerm();
        while (TryTake('+', '-', out var op, out var at))
        {
            var right = ParseTerm();
            value = Apply(op, value, right, at);
        }

        return value;
    }

    private decimal ParseTerm()
    {
        var value = ParseFactor();
        while (TryTake('*', '/', out var op, out var at))
        {
            var right = ParseFactor();
            value = Apply(op, value, right, at);
        }

        return value;
    }

    private decimal ParseFactor()
    {
        if (++_depth > MaxDepth)
        {
            throw new CalculationException($"'{_text}' nests parentheses or signs more than {MaxDepth} levels deep; simplify it.");
        }

        try
        {
            SkipSpaces();
            if (TryTake('+', '-', out var sign, out _))
            {
                var operand = ParseFactor();
                return sign == '-' ? -operand : operand;
            }

            if (Peek() == '(')
            {
                var open = _position++;
                var value = ParseExpression();
                SkipSpaces();
                if (Peek() != ')')
                {
                    throw _position >= _text.Length
                        ? new CalculationException($"The '(' at position {open + 1} of '{_text}' is never closed: add a ')'.")
                        : Unexpected("')' to close the '(' at position " + (open + 1).ToString(CultureInfo.InvariantCulture));
                }

                _position++;
                return value;
            }

            return ParseNumber();
        }
        finally
        {
            _depth--;
        }
    }

    private decimal ParseNumber()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] == '.'))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Unexpected("a number, '(' or a sign");
        }

        var digits = _text[start.._position];
        if (Peek() == ',')
        {
            throw new CalculationException(
                $"'{_text}' has a ',' at position {_position + 1}: write numbers without thousands separators and with '.' for decimals, such as 149600000 or 2.5.");
        }

        if (digits.Count(c => c == '.') > 1 || digits == ".")
        {
            throw new CalculationException($"'{digits}' at position {start + 1} of '{_text}' is not a number: use digits with at most one '.', such as 2.5.");
        }

        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new CalculationException($"'{digits}' at position {start + 1} of '{_text}' is too large to compute (the limit is about 7.9e28).");
        }

        return value;
    }

    private decimal Apply(char op, decimal left, decimal right, int at)
    {
        if (op == '/' && right == 0)
        {
            throw new CalculationException($"Division by zero: the '/' at position {at + 1} of '{_text}' divides by a value that is 0.");
        }

        try
        {
            return op switch
            {
                '+' => left + right,
                '-' => left - right,
                '*' => left * right,
                _ => left / right,
            };
        }
        catch (OverflowException)
        {
            throw new CalculationException($"The result of the '{op}' at position {at + 1} of '{_text}' is too large to compute (the limit is about 7.9e28).");
        }
    }

    private bool TryTake(char first, char second, out char taken, out int at)
    {
        SkipSpaces();
        at = _position;
        taken = Peek();
        if (taken == first || taken == second)
        {
            _position++;
            return true;
        }

        return false;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private CalculationException Unexpected(string expected) =>
        _position >= _text.Length
            ? new CalculationException($"'{_text}' ends too early: expected {expected} after it.")
            : new CalculationException($"Unexpected '{_text[_position]}' at position {_position + 1} of '{_text}': expected {expected}.");
}
