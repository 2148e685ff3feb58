using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>
/// S7: bytes allocated per S1 invoke, measured over 10,000 sequential invokes (the columns are per invoke). The other half
/// of S7, the process's peak working set and a flat managed heap after 10,000 invokes, is the <c>--memory</c> mode
/// (<see cref="MemoryReport"/>), which runs each variant in a fresh process.
/// </summary>
[MemoryDiagnoser]
public class S7Memory
{
    public const int Invokes = 10_000;

    private static readonly ChainState Input = new();
    private CompiledGraph<ChainState> _generated = null!;
    private CompiledGraph<ChainState> _builder = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generated = new ChainGraph().Compile();
        _builder = BuilderGraphs.Chain();
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The last of the 10,000 invokes of every variant ends with Value = 10.</summary>
    public async ValueTask ValidateAsync()
    {
        Check.Same("S7", "Baseline", Work.ChainLength, S7_Baseline().Value);
        Check.Same("S7", "DashFlow", Work.ChainLength, (await S7_DashFlow()).Value);
        Check.Same("S7", "DashFlowBuilder", Work.ChainLength, (await S7_DashFlowBuilder()).Value);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Invokes)]
    public ChainState S7_Baseline()
    {
        var last = Input;
        for (var i = 0; i < Invokes; i++)
        {
            last = Baselines.Chain(Input);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Invokes)]
    public async Task<ChainState> S7_DashFlow()
    {
        var last = Input;
        for (var i = 0; i < Invokes; i++)
        {
            last = await _generated.InvokeAsync(Input);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Invokes)]
    public async Task<ChainState> S7_DashFlowBuilder()
    {
        var last = Input;
        for (var i = 0; i < Invokes; i++)
        {
            last = await _builder.InvokeAsync(Input);
        }

        return last;
    }
}
