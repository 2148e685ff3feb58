using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>
/// The hand-written limit of each scenario: the same node bodies called in the graph's order by plain C#, with the
/// final state built once. No graph, no snapshots between steps, no tasks: what a person would write who knew the
/// topology at compile time and needed no runtime at all.
/// </summary>
public static class Baselines
{
    /// <summary>S1: the ten increments of the chain.</summary>
    public static ChainState Chain(ChainState input)
    {
        var value = input.Value;
        for (var i = 0; i < Work.ChainLength; i++)
        {
            value = Increment(value);
        }

        return new ChainState { Value = value };
    }

    /// <summary>S3: the eight branches' strings appended in branch order, then the join.</summary>
    public static FanOutState FanOut(FanOutState input)
    {
        var items = input.Items.ToBuilder();
        for (var i = 0; i < Work.Branches; i++)
        {
            items.Add(Branch(i));
        }

        var appended = items.ToImmutable();
        return new FanOutState { Items = appended, Joined = Join(appended) };
    }

    /// <summary>S4: increment, then route back while the counter is under the limit.</summary>
    public static LoopState Loop(LoopState input)
    {
        var counter = input.Counter;
        do
        {
            counter = Increment(counter);
        }
        while (counter < Work.LoopLimit);

        return new LoopState { Counter = counter };
    }

    /// <summary>
    /// S2: the chain, storing the state (MessagePack, the serializer DashFlow uses) after the input and after each step:
    /// eleven saves.
    /// </summary>
    public static ChainState CheckpointedChain(ChainState input, IStateLog log, string thread)
    {
        var value = input.Value;
        log.Save(thread, 0, MessagePackSerializer.Serialize(value));
        for (var step = 1; step <= Work.ChainLength; step++)
        {
            value = Increment(value);
            log.Save(thread, step, MessagePackSerializer.Serialize(value));
        }

        return new ChainState { Value = value };
    }

    /// <summary>
    /// S5: the same chain over a state with 1,000 documents no step touches: they are stored once, with the input, and
    /// each step stores the counter only.
    /// </summary>
    public static BigState CheckpointedBigChain(BigState input, IStateLog log, string thread)
    {
        var value = input.Value;
        log.Save(thread, 0, MessagePackSerializer.Serialize(value), nameof(BigState.Documents), Serialize(input.Documents));
        for (var step = 1; step <= Work.ChainLength; step++)
        {
            value = Increment(value);
            log.Save(thread, step, MessagePackSerializer.Serialize(value));
        }

        return new BigState { Value = value, Documents = input.Documents };
    }

    // The hand-written program's scratch buffer, kept between runs so that a run allocates only the stored bytes.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_buffer;

    /// <summary>A list of strings as a MessagePack array: written into the reused buffer, then copied out once.</summary>
    private static byte[] Serialize(ImmutableList<string> items)
    {
        var buffer = s_buffer ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            writer.Write(item);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // Node bodies are real calls, as they are in a graph: the JIT may not fold the loops away.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Increment(int value) => value + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Branch(int index) => Work.BranchItems[index];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Join(ImmutableList<string> items) => items.Count;
}
