using static DashFlow.Reduce;

namespace DashFlow.Tests.Reference;

/// <summary>The state most engine tests use: one field of each common reducer.</summary>
[GraphState]
public partial record DemoState
{
    public string Query { get; init; } = "";

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];

    [Reducer(Sum)] public int Count { get; init; }
}

/// <summary>A subgraph's state: shares Query, Log and Count with <see cref="DemoState"/> (in another order) and adds Notes.</summary>
[GraphState]
public partial record ChildState
{
    public string Notes { get; init; } = "";

    [Reducer(Sum)] public int Count { get; init; }

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];

    public string Query { get; init; } = "";
}
