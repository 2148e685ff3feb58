namespace DashFlow.Generators;

/// <summary>
/// The names of the generators' tracked pipeline steps. Incrementality tests read a step's outputs by these names, so a
/// step is renamed here and nowhere else.
/// </summary>
public static class GeneratorStepNames
{
    /// <summary>The <c>[GraphState]</c> types found and parsed (null where the type cannot be generated).</summary>
    public const string GraphStateParse = "DashFlow.GraphState.Parse";

    /// <summary>The <c>[GraphState]</c> models that are emitted.</summary>
    public const string GraphStateModel = "DashFlow.GraphState.Model";

    /// <summary>The <c>[Graph&lt;TState&gt;]</c> classes found and parsed (null where nothing can be generated).</summary>
    public const string GraphParse = "DashFlow.Graph.Parse";

    /// <summary>The <c>[Graph&lt;TState&gt;]</c> models that are emitted.</summary>
    public const string GraphModel = "DashFlow.Graph.Model";
}
