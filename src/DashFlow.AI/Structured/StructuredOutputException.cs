namespace DashFlow.AI;

/// <summary>A model's answer could not be read as the requested type.</summary>
public sealed class StructuredOutputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="node">The node, when known.</param>
    /// <param name="model">The model.</param>
    /// <param name="resultType">The type asked for.</param>
    /// <param name="text">What the model answered.</param>
    /// <param name="innerException">The reading error.</param>
    public StructuredOutputException(string message, string? node, string? model, Type resultType, string text, Exception? innerException)
        : base(message, innerException)
    {
        Node = node;
        Model = model;
        ResultType = resultType;
        Text = text;
    }

    /// <summary>The node the call came from, when known.</summary>
    public string? Node { get; }

    /// <summary>The model.</summary>
    public string? Model { get; }

    /// <summary>The type asked for.</summary>
    public Type ResultType { get; }

    /// <summary>What the model answered.</summary>
    public string Text { get; }
}
