using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>
/// S6: 1,000 concurrent invokes of S1, awaited with <c>Task.WhenAll</c>. The S1 nodes are synchronous, so each invoke is
/// started with <c>Task.Run</c> to spread the runs over the thread pool (both cores); every variant pays that the same way.
/// One operation is the 1,000 invokes; the rate columns give invokes and node steps (10 per invoke) per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RateConfig))]
public class S6Throughput
{
    public const int Invokes = 1_000;

    private static readonly ChainState Input = new();
    private readonly Task<ChainState>[] _runs = new Task<ChainState>[Invokes];
    private Func<Task<ChainState>> _baseline = null!;
    private Func<Task<ChainState>> _generated = null!;
    private Func<Task<ChainState>> _builder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generated = new ChainGraph().Compile();
        var builder = BuilderGraphs.Chain();
        _baseline = static () => Task.FromResult(Baselines.Chain(Input));
        _generated = () => generated.InvokeAsync(Input).AsTask();
        _builder = () => builder.InvokeAsync(Input).AsTask();
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every invoke of every variant ends with Value = 10.</summary>
    public async ValueTask ValidateAsync()
    {
        foreach (var (variant, run) in new[] { ("Baseline", _baseline), ("DashFlow", _generated), ("DashFlowBuilder", _builder) })
        {
            await RunAllAsync(run);
            foreach (var finished in _runs)
            {
                Check.Same("S6", variant, Work.ChainLength, finished.Result.Value);
            }
        }
    }

    [Benchmark(Baseline = true)]
    public Task S6_Baseline() => RunAllAsync(_baseline);

    [Benchmark]
    public Task S6_DashFlow() => RunAllAsync(_generated);

    [Benchmark]
    public Task S6_DashFlowBuilder() => RunAllAsync(_builder);

    private Task RunAllAsync(Func<Task<ChainState>> invoke)
    {
        for (var i = 0; i < _runs.Length; i++)
        {
            _runs[i] = Task.Run(invoke);
        }

        return Task.WhenAll(_runs);
    }

    private sealed class RateConfig : ManualConfig
    {
        public RateConfig() => AddColumn(new RateColumn("Invokes/s", Invokes), new RateColumn("Node steps/s", Invokes * Work.ChainLength));
    }
}
