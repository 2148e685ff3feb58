using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using DashFlow.Persistence;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>
/// S2 on SQLite (the generated chain) under each <see cref="Durability"/>: <c>Sync</c> stores each checkpoint before the
/// next superstep (the S2 row), <c>Async</c> stores them in order from a background queue and waits for it at the end of
/// the run, <c>Exit</c> stores only the last checkpoint, when the run ends.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerSuperstepConfig))]
public class S2Durability
{
    private const int RunsPerStore = 1_000;

    private static readonly ChainState Input = new();
    private ScratchFiles _files = null!;
    private CompiledGraph<ChainState> _generated = null!;
    private StoreRotation<ICheckpointer> _syncStores = null!;
    private StoreRotation<ICheckpointer> _asyncStores = null!;
    private StoreRotation<ICheckpointer> _exitStores = null!;

    [GlobalSetup]
    public void Setup()
    {
        _files = new ScratchFiles("s2-durability");
        _generated = new ChainGraph().Compile();
        _syncStores = Stores.DashFlow(CheckpointStore.Sqlite, RunsPerStore, _files, "sync");
        _asyncStores = Stores.DashFlow(CheckpointStore.Sqlite, RunsPerStore, _files, "async");
        _exitStores = Stores.DashFlow(CheckpointStore.Sqlite, RunsPerStore, _files, "exit");
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _syncStores?.Dispose();
        _asyncStores?.Dispose();
        _exitStores?.Dispose();
        _files?.Dispose();
    }

    /// <summary>Every mode ends with Value = 10; Sync and Async have stored all eleven checkpoints when the run returns, Exit one.</summary>
    public async ValueTask ValidateAsync()
    {
        foreach (var (mode, run, stores, checkpoints) in new[]
        {
            ("Sync", (Func<ValueTask<ChainState>>)S2_Sqlite_Sync, _syncStores, Work.CheckpointsPerRun),
            ("Async", S2_Sqlite_Async, _asyncStores, Work.CheckpointsPerRun),
            ("Exit", S2_Sqlite_Exit, _exitStores, 1),
        })
        {
            Check.Same("S2 durability", mode, Work.ChainLength, (await run()).Value);
            Check.Same("S2 durability", mode + " checkpoints", checkpoints, (await Checkpoints.OfAsync(stores.Current, stores.LastThread!)).Count);
        }
    }

    [Benchmark(Baseline = true)]
    public ValueTask<ChainState> S2_Sqlite_Sync() => Invoke(_syncStores, Durability.Sync);

    [Benchmark]
    public ValueTask<ChainState> S2_Sqlite_Async() => Invoke(_asyncStores, Durability.Async);

    [Benchmark]
    public ValueTask<ChainState> S2_Sqlite_Exit() => Invoke(_exitStores, Durability.Exit);

    private ValueTask<ChainState> Invoke(StoreRotation<ICheckpointer> stores, Durability durability)
    {
        var (store, thread) = stores.Next();
        return _generated.InvokeAsync(Input, new RunConfig { ThreadId = thread, Checkpointer = store, Durability = durability });
    }
}
