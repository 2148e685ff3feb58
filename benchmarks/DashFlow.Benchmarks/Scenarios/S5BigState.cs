using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using DashFlow.Persistence;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>
/// S5: S2 where the state also holds 1,000 strings of 100 characters (<see cref="Work.Documents"/>, about 100 KB) that no
/// node touches. Each run is a new thread, so the documents are stored once, with the input; the ten supersteps must not
/// store them again. The checks prove it: every checkpoint of a run names the same version of the field.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerSuperstepConfig))]
public class S5BigState
{
    // In memory, as many runs per store as S2, so that the two differ only by the documents (the hand-written program's
    // store then holds about 100 MB). On SQLite each run writes about 100 KB: 200 runs make a file of about 20 MB.
    private const int MemoryRunsPerStore = 1_000;
    private const int FileRunsPerStore = 200;

    private static readonly BigState Input = new() { Documents = Work.Documents };
    private ScratchFiles? _files;
    private CompiledGraph<BigState> _generated = null!;
    private CompiledGraph<BigState> _builder = null!;
    private StoreRotation<IStateLog> _baselineStores = null!;
    private StoreRotation<ICheckpointer> _generatedStores = null!;
    private StoreRotation<ICheckpointer> _builderStores = null!;

    [Params(CheckpointStore.Memory, CheckpointStore.Sqlite)]
    public CheckpointStore Store { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _files = Store == CheckpointStore.Sqlite ? new ScratchFiles("s5") : null;
        _generated = new BigChainGraph().Compile();
        _builder = BuilderGraphs.BigChain();
        var runsPerStore = Store == CheckpointStore.Memory ? MemoryRunsPerStore : FileRunsPerStore;
        _baselineStores = Stores.HandWritten(Store, runsPerStore, _files, "baseline");
        _generatedStores = Stores.DashFlow(Store, runsPerStore, _files, "generated");
        _builderStores = Stores.DashFlow(Store, runsPerStore, _files, "builder");
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _baselineStores?.Dispose();
        _generatedStores?.Dispose();
        _builderStores?.Dispose();
        _files?.Dispose();
    }

    /// <summary>
    /// Every variant ends with Value = 10 and the documents unchanged; the hand-written program stored them once, and each
    /// DashFlow run stored eleven checkpoints that all name one version of <c>Documents</c> (so its bytes were written once).
    /// </summary>
    public async ValueTask ValidateAsync()
    {
        var scenario = $"S5 ({Store})";
        var expected = S5_Baseline();
        Check.Same(scenario, "Baseline", Work.ChainLength, expected.Value);
        Check.Same(scenario, "Baseline documents", Work.Documents, expected.Documents, Same, Show);
        Check.Same(scenario, "Baseline (steps, documents stored)", (Work.CheckpointsPerRun, 1), _baselineStores.Current.Count(_baselineStores.LastThread!));
        foreach (var (variant, run, stores) in new[] { ("DashFlow", (Func<ValueTask<BigState>>)S5_DashFlow, _generatedStores), ("DashFlowBuilder", S5_DashFlowBuilder, _builderStores) })
        {
            var state = await run();
            Check.Same(scenario, variant, expected.Value, state.Value);
            Check.Same(scenario, variant + " documents", Work.Documents, state.Documents, Same, Show);
            var checkpoints = await Checkpoints.OfAsync(stores.Current, stores.LastThread!);
            Check.Same(scenario, variant + " checkpoints", Work.CheckpointsPerRun, checkpoints.Count);
            var versions = checkpoints.Select(c => c.FieldVersions[nameof(BigState.Documents)]).Distinct().Count();
            Check.Same(scenario, variant + ": versions of Documents across the run's checkpoints", 1, versions);
        }
    }

    [Benchmark(Baseline = true)]
    public BigState S5_Baseline()
    {
        var (log, thread) = _baselineStores.Next();
        return Baselines.CheckpointedBigChain(Input, log, thread);
    }

    [Benchmark]
    public ValueTask<BigState> S5_DashFlow() => Invoke(_generated, _generatedStores);

    [Benchmark]
    public ValueTask<BigState> S5_DashFlowBuilder() => Invoke(_builder, _builderStores);

    private static ValueTask<BigState> Invoke(CompiledGraph<BigState> graph, StoreRotation<ICheckpointer> stores)
    {
        var (store, thread) = stores.Next();
        return graph.InvokeAsync(Input, new RunConfig { ThreadId = thread, Checkpointer = store });
    }

    private static bool Same(ImmutableList<string> a, ImmutableList<string> b) => a.SequenceEqual(b);

    private static string Show(ImmutableList<string> documents) => $"{documents.Count} documents";
}
