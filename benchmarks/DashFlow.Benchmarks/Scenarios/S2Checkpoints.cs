using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using DashFlow.Benchmarks.Graphs;
using DashFlow.Benchmarks.Support;
using DashFlow.Persistence;
using DashFlow.Sqlite;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;

namespace DashFlow.Benchmarks.Scenarios;

/// <summary>
/// S2: the S1 chain with a checkpoint after the input and after every superstep (eleven per run), each run on a new
/// thread, with <see cref="Durability.Sync"/>: a superstep starts once the previous one's checkpoint is stored.
/// <list type="bullet">
/// <item><see cref="CheckpointStore.Memory"/>: <see cref="InMemoryCheckpointer"/>; the hand-written program keeps the
/// MessagePack bytes of each step's state in a dictionary; Agent Framework uses its in-memory checkpoint manager.</item>
/// <item><see cref="CheckpointStore.Sqlite"/>: <see cref="SqliteCheckpointer"/> on a file (WAL); the hand-written program
/// inserts each step's state into its own table of a file set up the same way; Agent Framework, which has no SQLite
/// store, writes its JSON checkpoints to files (<see cref="FileSystemJsonCheckpointStore"/>).</item>
/// <item><see cref="CheckpointStore.SqliteExclusive"/>: the same, with the file held by one connection
/// (<see cref="SqliteCheckpointerOptions.ExclusiveLocking"/>; the hand-written program sets the same pragma).</item>
/// </list>
/// <c>S2_DashFlowWithoutCheckpoints</c> is the S1 run of the generated chain (no checkpointer), measured in the same run,
/// so that the cost of checkpointing reads off directly (the target: S2 in memory under twice S1).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerSuperstepConfig))]
public class S2Checkpoints
{
    // Runs per store before it is replaced (see StoreRotation): a few MB of memory or file each.
    private const int RunsPerStore = 1_000;

    // Agent Framework's file store writes a JSON file per checkpoint, and gets slower as its folder fills.
    private const int AgentFrameworkRunsPerStore = 100;

    private static readonly ChainState Input = new();
    private ScratchFiles? _files;
    private CompiledGraph<ChainState> _generated = null!;
    private CompiledGraph<ChainState> _builder = null!;
    private Workflow _agentFramework = null!;
    private StoreRotation<IStateLog> _baselineStores = null!;
    private StoreRotation<ICheckpointer> _generatedStores = null!;
    private StoreRotation<ICheckpointer> _builderStores = null!;
    private StoreRotation<AgentFrameworkStore> _agentFrameworkStores = null!;

    [Params(CheckpointStore.Memory, CheckpointStore.Sqlite, CheckpointStore.SqliteExclusive)]
    public CheckpointStore Store { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _files = Store == CheckpointStore.Memory ? null : new ScratchFiles("s2");
        _generated = new ChainGraph().Compile();
        _builder = BuilderGraphs.Chain();
        _agentFramework = AgentFrameworkWorkflows.Chain();
        _baselineStores = Stores.HandWritten(Store, RunsPerStore, _files, "baseline");
        _generatedStores = Stores.DashFlow(Store, RunsPerStore, _files, "generated");
        _builderStores = Stores.DashFlow(Store, RunsPerStore, _files, "builder");
        _agentFrameworkStores = Stores.AgentFramework(Store, Store == CheckpointStore.Memory ? RunsPerStore : AgentFrameworkRunsPerStore, _files);
        ValidateAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _baselineStores?.Dispose();
        _generatedStores?.Dispose();
        _builderStores?.Dispose();
        _agentFrameworkStores?.Dispose();
        _files?.Dispose();
    }

    /// <summary>Every variant ends with Value = 10, and stored eleven checkpoints (Agent Framework: one per superstep).</summary>
    public async ValueTask ValidateAsync()
    {
        var scenario = $"S2 ({Store})";
        var expected = S2_Baseline().Value;
        Check.Same(scenario, "Baseline", Work.ChainLength, expected);
        Check.Same(scenario, "Baseline checkpoints", Work.CheckpointsPerRun, _baselineStores.Current.Count(_baselineStores.LastThread!).Steps);
        Check.Same(scenario, "DashFlow", expected, (await S2_DashFlow()).Value);
        Check.Same(scenario, "DashFlow checkpoints", Work.CheckpointsPerRun, (await Checkpoints.OfAsync(_generatedStores.Current, _generatedStores.LastThread!)).Count);
        Check.Same(scenario, "DashFlowBuilder", expected, (await S2_DashFlowBuilder()).Value);
        Check.Same(scenario, "DashFlowBuilder checkpoints", Work.CheckpointsPerRun, (await Checkpoints.OfAsync(_builderStores.Current, _builderStores.LastThread!)).Count);
        Check.Same(scenario, "DashFlowWithoutCheckpoints", expected, (await S2_DashFlowWithoutCheckpoints()).Value);
        var stored = new StrongBox<int>();
        var output = await AgentFrameworkWorkflows.RunCheckpointedAsync<int, int>(_agentFramework, Input.Value, _agentFrameworkStores.Next().Store.Environment, stored);
        Check.Same(scenario, "MicrosoftAgentFramework", expected, output);
        Check.Same(scenario, "MicrosoftAgentFramework checkpoints (one per superstep)", Work.ChainLength, stored.Value);
    }

    [Benchmark]
    public ChainState S2_Baseline()
    {
        var (log, thread) = _baselineStores.Next();
        return Baselines.CheckpointedChain(Input, log, thread);
    }

    [Benchmark]
    public ValueTask<ChainState> S2_DashFlow() => Invoke(_generated, _generatedStores);

    [Benchmark]
    public ValueTask<ChainState> S2_DashFlowBuilder() => Invoke(_builder, _builderStores);

    [Benchmark]
    public ValueTask<ChainState> S2_DashFlowWithoutCheckpoints() => _generated.InvokeAsync(Input);

    [Benchmark(Baseline = true)]
    public ValueTask<int> S2_MicrosoftAgentFramework() =>
        AgentFrameworkWorkflows.RunCheckpointedAsync<int, int>(_agentFramework, Input.Value, _agentFrameworkStores.Next().Store.Environment);

    private static ValueTask<ChainState> Invoke(CompiledGraph<ChainState> graph, StoreRotation<ICheckpointer> stores)
    {
        var (store, thread) = stores.Next();
        return graph.InvokeAsync(Input, new RunConfig { ThreadId = thread, Checkpointer = store });
    }
}
