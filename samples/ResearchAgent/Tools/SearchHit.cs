namespace ResearchAgent.Tools;

/// <summary>One passage a search found.</summary>
/// <param name="File">The note's file name, such as <c>moon.md</c>.</param>
/// <param name="Text">The paragraph, on one line.</param>
/// <param name="Score">The summed weight of the query words it holds.</param>
internal sealed record SearchHit(string File, string Text, double Score);
