namespace DashFlow.Analyzers.Tests.Infrastructure;

/// <summary>Test source pieces.</summary>
internal static class Sources
{
    /// <summary>A valid state with one Replace field, a list written in parallel, and a counter.</summary>
    public const string State = """

        [GraphState]
        public partial record S
        {
            public string Query { get; init; } = "";
            public string Summary { get; init; } = "";
            [Reducer(Append)] public ImmutableList<string> Sources { get; init; } = [];
            [Reducer(Sum)] public int Tokens { get; init; }
        }

        public sealed record WorkItem(string Name);

        """;

    /// <summary>Usings, then <paramref name="graph"/>, then <see cref="State"/>.</summary>
    public static string Graph(string graph) => TestSetup.Usings + graph + State;
}
