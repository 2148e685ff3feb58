namespace ResearchAgent.Tools;

/// <summary>An expression the <see cref="Calculator"/> cannot evaluate; the message quotes it and says what to change.</summary>
internal sealed class CalculationException(string message) : Exception(message);
