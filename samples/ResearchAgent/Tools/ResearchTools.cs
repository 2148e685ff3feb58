using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace ResearchAgent.Tools;

/// <summary>
/// The agent's two tools as <see cref="AIFunction"/>s: plain C# methods whose names, descriptions and parameters the
/// model sees as a JSON schema. A tool that throws (an expression that does not parse) reaches the model as an error
/// result it can read and correct, not as a failed run.
/// </summary>
internal sealed class ResearchTools(NoteSearch notes)
{
    /// <summary>The calculator tool's name, as the model calls it.</summary>
    public const string CalculateName = "calculate";

    /// <summary>The note search tool's name, as the model calls it.</summary>
    public const string SearchNotesName = "search_notes";

    /// <summary>Both tools.</summary>
    public IReadOnlyList<AIFunction> All =>
    [
        AIFunctionFactory.Create(SearchNotes, Options(SearchNotesName)),
        AIFunctionFactory.Create(Calculate, Options(CalculateName)),
    ];

    // The tools return text for the model to read: sent as it is, not as a JSON string with its quotes and \n escapes.
    private static AIFunctionFactoryOptions Options(string name) =>
        new() { Name = name, MarshalResult = (result, _, _) => ValueTask.FromResult(result) };

    [Description("Searches the local research notes and returns the best matching passages, each with the note's file name. Use it for any fact the question needs.")]
    private string SearchNotes([Description("A few words about what to look for, such as \"distance from the Earth to the Moon\".")] string query) =>
        notes.SearchAsText(query);

    [Description("Evaluates an arithmetic expression exactly and returns the number. Supports + - * /, parentheses, decimals with '.' and unary minus; write numbers without thousands separators.")]
    private static string Calculate([Description("The expression, such as (149600000 / 299792) / 60.")] string expression) =>
        Calculator.EvaluateToText(expression);
}
