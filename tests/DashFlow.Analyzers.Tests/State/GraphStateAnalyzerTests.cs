using DashFlow.Analyzers.State;
using DashFlow.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
    public Task DFLOW0004_looks_into_records_and_reports_types_nothing_can_create() => Verify.VerifyAsync(Usings + """
        public interface IService { }
        public abstract class Shape { public int Sides { get; set; } }
        public sealed class NoMatch { public NoMatch(int other) { } public int Value { get; set; } }
        public sealed record Holder(string Name, object? Payload);
        public sealed record Good(string Name, IReadOnlyList<int> Values, Good? Next);

        [GraphState]
        public partial record S
        {
            public {|DFLOW0004:IService?|} Service { get; init; }
            public {|DFLOW0004:Shape?|} Shape { get; init; }
            public {|DFLOW0004:NoMatch?|} NoMatch { get; init; }
            public {|DFLOW0004:ImmutableList<Holder>|} Holders { get; init; } = [];
            public {|DFLOW0004:KeyValuePair<string, IService>|} Pair { get; init; }
            public Good? Fine { get; init; }
            public IReadOnlyDictionary<string, Good> ByName { get; init; } = ImmutableDictionary<string, Good>.Empty;
            public IEnumerable<decimal>? Amounts { get; init; }
            public (int Line, string File) Position { get; init; }
        }
        """);

    [Fact]
    public Task DFLOW0004_names_the_part_it_cannot_store() => Verify.VerifyAsync(
        Usings + """
        public interface IService { }
        public sealed record Holder(string Name, IService? Service);

        [GraphState]
        public partial record S
        {
            public {|#0:Holder?|} Holder { get; init; }
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(0)
            .WithMessage("Field 'Holder' of 'S' has type 'Holder?', which holds 'IService?': the interface 'IService?' does not say which type to create " +
                "when the checkpoint is read, so it cannot be stored in a checkpoint. Keep it out of the state (for example as a dependency of the graph " +
                "class) and store plain data instead."));

    [Fact]
    public void DFLOW0004_takes_codecs_into_account_when_it_knows_the_field_and_the_compilation()
    {
        var compilation = CSharpCompilation.Create(
            "Codecs",
            [CSharpSyntaxTree.ParseText(Usings + """
                using System.Buffers;
                using DashFlow.Persistence;

                [assembly: FieldCodec(typeof(IAmount), typeof(AmountCodec))]

                public interface IAmount { }
                public interface IService { }

                public sealed class AmountCodec : IFieldCodec<IAmount>
                {
                    public static void Write(IBufferWriter<byte> output, IAmount value) { }
                    public static IAmount Read(ReadOnlySpan<byte> data) => null!;
                }

                public sealed class ServiceCodec : IFieldCodec<IService>
                {
                    public static void Write(IBufferWriter<byte> output, IService value) { }
                    public static IService Read(ReadOnlySpan<byte> data) => null!;
                }

                public partial record S
                {
                    public IAmount? Amount { get; init; }
                    public ImmutableList<IAmount> Amounts { get; init; } = [];
                    [FieldCodec(typeof(ServiceCodec))] public IService? Service { get; init; }
                    public IService? Other { get; init; }
                }
                """, new CSharpParseOptions(LanguageVersion.Latest))],
            TestSetup.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var state = compilation.GetTypeByMetadataName("S")!;
        IPropertySymbol Field(string name) => state.GetMembers(name).OfType<IPropertySymbol>().Single();

        Assert.Null(FieldTypeRules.FindNotSerializable(Field("Amount"), compilation));
        Assert.Null(FieldTypeRules.FindNotSerializable(Field("Amounts"), compilation));
        Assert.Null(FieldTypeRules.FindNotSerializable(Field("Service"), compilation));
        Assert.Equal("IService", FieldTypeRules.FindNotSerializable(Field("Other"), compilation)?.Part.Name);

        // Without the compilation nothing says that a codec stores the interfaces.
        Assert.Equal("IAmount", FieldTypeRules.FindNotSerializable(Field("Amount").Type)?.Part.Name);
        Assert.Equal("IService", FieldTypeRules.FindNotSerializable(Field("Service").Type)?.Part.Name);
    }

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
