using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using DashFlow.Benchmarks.Graphs;

namespace DashFlow.Benchmarks.Support;

/// <summary>
/// Where the engine's bytes go (<c>--allocations</c>): runs a scenario many times under the runtime's allocation
/// sampling (one <c>GCAllocationTick</c> event per ~100 KB allocated, naming the type of the object that crossed the
/// line) and prints each type's share of the bytes, scaled to one invoke. Sampled, so small shares are approximate.
/// </summary>
public static class AllocationProfile
{
    private const int Invokes = 200_000;

    /// <summary>
    /// Profiles S1 and S4 for the generated and the builder graph, S3 for the generated one, and the checkpointing
    /// scenarios S2 (in memory and on SQLite) and S5 (in memory) for the generated one.
    /// </summary>
    public static async Task<int> RunAsync(TextWriter output)
    {
        var chain = new ChainGraph().Compile();
        var chainBuilder = BuilderGraphs.Chain();
        var fanOut = new FanOutGraph().Compile();
        var loop = new LoopGraph().Compile();
        var loopBuilder = BuilderGraphs.Loop();
        var chainInput = new ChainState();
        var fanOutInput = new FanOutState();
        var loopInput = new LoopState();
        output.WriteLine("The least an engine can allocate: one new snapshot and one update per node step (24 B each here).");
        output.WriteLine();
        await ProfileAsync(output, "S1 DashFlow (generated)", Invokes, () => Ignore(chain.InvokeAsync(chainInput)));
        await ProfileAsync(output, "S1 DashFlowBuilder", Invokes, () => Ignore(chainBuilder.InvokeAsync(chainInput)));
        await ProfileAsync(output, "S3 DashFlow (generated)", Invokes / 2, () => Ignore(fanOut.InvokeAsync(fanOutInput)));
        await ProfileAsync(output, "S4 DashFlow (generated)", Invokes / 20, () => Ignore(loop.InvokeAsync(loopInput, Work.LoopConfig)));
        await ProfileAsync(output, "S4 DashFlowBuilder", Invokes / 20, () => Ignore(loopBuilder.InvokeAsync(loopInput, Work.LoopConfig)));

        using var files = new ScratchFiles("allocations");
        using var memory = Stores.DashFlow(CheckpointStore.Memory, 1_000, null, "memory");
        using var sqlite = Stores.DashFlow(CheckpointStore.Sqlite, 1_000, files, "sqlite");
        using var big = Stores.DashFlow(CheckpointStore.Memory, 200, null, "big");
        var bigChain = new BigChainGraph().Compile();
        var bigInput = new BigState { Documents = Work.Documents };
        await ProfileAsync(output, "S2 DashFlow (generated), in memory", Invokes / 40, () => Ignore(chain.InvokeAsync(chainInput, Checkpointed(memory))));
        await ProfileAsync(output, "S2 DashFlow (generated), SQLite", Invokes / 400, () => Ignore(chain.InvokeAsync(chainInput, Checkpointed(sqlite))));
        await ProfileAsync(output, "S5 DashFlow (generated), in memory", Invokes / 400, () => Ignore(bigChain.InvokeAsync(bigInput, Checkpointed(big))));
        return 0;
    }

    private static RunConfig Checkpointed(StoreRotation<Persistence.ICheckpointer> stores)
    {
        var (store, thread) = stores.Next();
        return new RunConfig { ThreadId = thread, Checkpointer = store };
    }

    // Completes synchronously when the run does, so it allocates nothing itself.
    private static async ValueTask Ignore<T>(ValueTask<T> run) => await run;

    private static async Task ProfileAsync(TextWriter output, string name, int invokes, Func<ValueTask> invoke)
    {
        for (var i = 0; i < 1_000; i++)
        {
            await invoke();
        }

        using var listener = new AllocationListener();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < invokes; i++)
        {
            await invoke();
        }

        var perInvoke = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)invokes;
        listener.Dispose();
        var samples = listener.Samples.ToArray();
        var total = samples.Sum(s => s.Value);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {perInvoke:N0} B per invoke ({total} samples; each type's share of them, scaled to one invoke)"));
        foreach (var (type, count) in samples.OrderByDescending(s => s.Value))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {perInvoke * count / total,8:N0} B  {100.0 * count / total,5:N1} %  {type}"));
        }

        output.WriteLine();
    }

    private sealed class AllocationListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        public ConcurrentDictionary<string, int> Samples { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload && eventData.PayloadNames is { } names)
            {
                var index = names.IndexOf("TypeName");
                var type = index >= 0 ? payload[index] as string ?? "?" : "?";
                Samples.AddOrUpdate(type, 1, static (_, n) => n + 1);
            }
        }
    }
}
