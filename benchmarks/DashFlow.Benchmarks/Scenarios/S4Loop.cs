using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using Microsoft.Agents.AI.Workflows;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>S4: one node increments a counter; a conditional edge routes back to it until 100, then End (100 supersteps).</summary>
[MemoryDiagnoser]
public class S4Loop
{
    private static readonly LoopState Input = new();
    private CompiledGraph<LoopState> _generated = null!;
    private CompiledGraph<LoopState> _builder = null!;
    private Workflow _agentFramework = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generated = new LoopGraph().Compile();
        _builder = BuilderGraphs.Loop();
        _agentFramework = AgentFrameworkWorkflows.Loop();
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every variant ends with Counter = 100.</summary>
    public async ValueTask ValidateAsync()
    {
        var expected = S4_Baseline().Counter;
        Check.Same("S4", "Baseline", Work.LoopLimit, expected);
        Check.Same("S4", "DashFlow", expected, (await S4_DashFlow()).Counter);
        Check.Same("S4", "DashFlowBuilder", expected, (await S4_DashFlowBuilder()).Counter);
        Check.Same("S4", "MicrosoftAgentFramework", expected, await S4_MicrosoftAgentFramework());
    }

    [Benchmark]
    public LoopState S4_Baseline() => Baselines.Loop(Input);

    [Benchmark]
    public ValueTask<LoopState> S4_DashFlow() => _generated.InvokeAsync(Input, Work.LoopConfig);

    [Benchmark]
    public ValueTask<LoopState> S4_DashFlowBuilder() => _builder.InvokeAsync(Input, Work.LoopConfig);

    [Benchmark(Baseline = true)]
    public ValueTask<int> S4_MicrosoftAgentFramework() => AgentFrameworkWorkflows.RunAsync<int, int>(_agentFramework, Input.Counter);
}
