using DashFlow.Analyzers.Tests.Infrastructure;
using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.State.GraphStateAnalyzer>;

namespace DashFlow.Analyzers.Tests.State;

/// <summary>The state rules (DFLOW00xx), each with a case that reports and one that does not.</summary>
public sealed class GraphStateAnalyzerTests
{
    private const string Usings = TestSetup.Usings + "using System;\n";

    [Fact]
    public Task A_valid_state_has_no_diagnostics() => Verify.VerifyAsync(Usings + """
        public sealed record Finding(string Text, int Score);

        [GraphState(Version = 2)]
        public partial record S
        {
            public string Query { get; init; } = "";
            public Finding? Best { get; init; }
            public DateTimeOffset When { get; init; }
            public IReadOnlyList<string> Tags { get; init; } = [];
            [Reducer(Append)] public ImmutableList<Finding> Findings { get; init; } = [];
            [Reducer(Union)] public ImmutableHashSet<string> Seen { get; init; } = [];
            [Reducer(Merge)] public ImmutableDictionary<string, int> Counts { get; init; } = ImmutableDictionary<string, int>.Empty;
            [Reducer(Sum)] public int Tokens { get; init; }
            [Reducer(Max)] public double Best2 { get; init; }
            [Reducer(typeof(Longest))] public string Summary { get; init; } = "";
        }

        public sealed class Longest : IReducer<string>
        {
            public static string Reduce(string current, string write) => write.Length > current.Length ? write : current;
        }
        """);

    [Fact]
    public Task DFLOW0002_reducers_that_do_not_fit() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial record S
        {
            [{|DFLOW0002:Reducer(Append)|}] public int Count { get; init; }
            [{|DFLOW0002:Reducer(Sum)|}] public string Text { get; init; } = "";
            [{|DFLOW0002:Reducer(typeof(Longest))|}] public int Other { get; init; }
            [Reducer(Sum)] public int Fine { get; init; }
        }

        public sealed class Longest : IReducer<string>
        {
            public static string Reduce(string current, string write) => write;
        }
        """);

    [Fact]
    public Task DFLOW0002_message_names_the_field_and_the_fix() => Verify.VerifyAsync(
        Usings + """
        [GraphState]
        public partial record S
        {
            [{|#0:Reducer(Append)|}] public int Count { get; init; }
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.ReducerDoesNotFit).WithLocation(0)
            .WithMessage("Field 'Count' of 'S' has [Reducer(Append)], which does not fit its type 'int'. Append takes an ImmutableList<T> or an ImmutableArray<T>."));

    [Fact]
    public Task DFLOW0003_mutable_collections() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial record S
        {
            public {|DFLOW0003:List<string>|} Names { get; init; } = [];
            public {|DFLOW0003:string[]|} Tags { get; init; } = [];
            public {|DFLOW0003:Dictionary<string, int>|} Counts { get; init; } = [];
            public {|DFLOW0003:ImmutableList<HashSet<int>>|} Nested { get; init; } = [];
            public ImmutableArray<string> Fine { get; init; } = [];
            public IReadOnlyDictionary<string, int> AlsoFine { get; init; } = ImmutableDictionary<string, int>.Empty;
        }
        """);

    [Fact]
    public Task DFLOW0003_message_suggests_the_immutable_type() => Verify.VerifyAsync(
        Usings + """
        [GraphState]
        public partial record S
        {
            public {|#0:List<string>|} Names { get; init; } = [];
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.MutableCollection).WithLocation(0)
            .WithMessage("Field 'Names' of 'S' has type 'List<string>'. Nodes share one state snapshot, and changes made in place bypass the reducers; use 'ImmutableList<string>' instead."));

    [Fact]
    public Task DFLOW0004_types_a_checkpoint_cannot_store() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial record S
        {
            public {|DFLOW0004:Func<int>?|} Callback { get; init; }
            public {|DFLOW0004:Task<string>?|} Pending { get; init; }
            public {|DFLOW0004:object?|} Anything { get; init; }
            public {|DFLOW0004:IntPtr|} Handle { get; init; }
            public {|DFLOW0004:Type?|} Kind { get; init; }
            public {|DFLOW0004:CancellationToken|} Token { get; init; }
            public {|DFLOW0004:System.IO.MemoryStream?|} Bytes { get; init; }
            public {|DFLOW0004:ImmutableList<Action>|} Callbacks { get; init; } = [];
            public string Fine { get; init; } = "";
            public Guid AlsoFine { get; init; }
            public TimeSpan? Fine3 { get; init; }
        }
        """);

    [Fact]
    public Task DFLOW0005_field_types_a_state_cannot_hold() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial record S
        {
            public dynamic? {|DFLOW0005:Value|} { get; init; }
            public int Fine { get; init; }
        }
        """);

    [Fact]
    public Task DFLOW0006_states_the_generator_cannot_complete() => Verify.VerifyAsync(
        Usings + """
        [GraphState]
        public partial record {|DFLOW0006:Generic|}<T>
        {
            public T? Value { get; init; }
        }

        [GraphState]
        public partial record {|DFLOW0006:Positional|}(string Query);

        [GraphState]
        public abstract partial record {|DFLOW0006:Abstract|}
        {
            public int Count { get; init; }
        }

        [GraphState]
        public partial record Reserved
        {
            public string {|DFLOW0006:Update|} { get; init; } = "";
        }

        [GraphState]
        public partial record Conflict
        {
            public bool {|DFLOW0006:IsEmpty|} { get; init; }
        }
        """);

    [Fact]
    public Task DFLOW0006_not_reported_for_a_plain_state() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial class Plain
        {
            public string Query { get; set; } = "";
        }
        """);
}
