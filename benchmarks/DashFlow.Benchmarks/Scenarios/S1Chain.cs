using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using Microsoft.Agents.AI.Workflows;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>S1: ten nodes in a chain, each increments an int field (Replace); no checkpointer; one invoke.</summary>
[MemoryDiagnoser]
public class S1Chain
{
    private static readonly ChainState Input = new();
    private CompiledGraph<ChainState> _generated = null!;
    private CompiledGraph<ChainState> _builder = null!;
    private Workflow _agentFramework = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generated = new ChainGraph().Compile();
        _builder = BuilderGraphs.Chain();
        _agentFramework = AgentFrameworkWorkflows.Chain();
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every variant ends with Value = 10.</summary>
    public async ValueTask ValidateAsync()
    {
        var expected = S1_Baseline().Value;
        Check.Same("S1", "Baseline", Work.ChainLength, expected);
        Check.Same("S1", "DashFlow", expected, (await S1_DashFlow()).Value);
        Check.Same("S1", "DashFlowBuilder", expected, (await S1_DashFlowBuilder()).Value);
        Check.Same("S1", "MicrosoftAgentFramework", expected, await S1_MicrosoftAgentFramework());
    }

    [Benchmark]
    public ChainState S1_Baseline() => Baselines.Chain(Input);

    [Benchmark]
    public ValueTask<ChainState> S1_DashFlow() => _generated.InvokeAsync(Input);

    [Benchmark]
    public ValueTask<ChainState> S1_DashFlowBuilder() => _builder.InvokeAsync(Input);

    [Benchmark(Baseline = true)]
    public ValueTask<int> S1_MicrosoftAgentFramework() => AgentFrameworkWorkflows.RunAsync<int, int>(_agentFramework, Input.Value);
}
