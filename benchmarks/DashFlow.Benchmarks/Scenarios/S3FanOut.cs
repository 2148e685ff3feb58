using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using Microsoft.Agents.AI.Workflows;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>S3: Start -> 8 parallel nodes, each appends one string to a list field (Append) -> a join node -> End.</summary>
[MemoryDiagnoser]
public class S3FanOut
{
    private static readonly FanOutState Input = new();
    private CompiledGraph<FanOutState> _generated = null!;
    private CompiledGraph<FanOutState> _builder = null!;
    private Workflow _agentFramework = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generated = new FanOutGraph().Compile();
        _builder = BuilderGraphs.FanOut();
        _agentFramework = AgentFrameworkWorkflows.FanOut();
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every variant ends with Items = [b1 … b8] in branch order and Joined = 8.</summary>
    public async ValueTask ValidateAsync()
    {
        var expected = S3_Baseline();
        Check.Same("S3", "Baseline", Work.Branches, expected.Joined);
        Check.Same("S3", "DashFlow", expected, await S3_DashFlow(), Equal, Show);
        Check.Same("S3", "DashFlowBuilder", expected, await S3_DashFlowBuilder(), Equal, Show);
        Check.Same("S3", "MicrosoftAgentFramework", expected, await S3_MicrosoftAgentFramework(), Equal, Show);
    }

    [Benchmark]
    public FanOutState S3_Baseline() => Baselines.FanOut(Input);

    [Benchmark]
    public ValueTask<FanOutState> S3_DashFlow() => _generated.InvokeAsync(Input);

    [Benchmark]
    public ValueTask<FanOutState> S3_DashFlowBuilder() => _builder.InvokeAsync(Input);

    [Benchmark(Baseline = true)]
    public ValueTask<FanOutState> S3_MicrosoftAgentFramework() => AgentFrameworkWorkflows.RunAsync<string, FanOutState>(_agentFramework, "go");

    private static bool Equal(FanOutState a, FanOutState b) => a.Joined == b.Joined && a.Items.SequenceEqual(b.Items);

    private static string Show(FanOutState s) => $"{{ Items = [{string.Join(", ", s.Items)}], Joined = {s.Joined} }}";
}
