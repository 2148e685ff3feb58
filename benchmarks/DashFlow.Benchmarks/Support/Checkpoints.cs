using DashFlow.Persistence;

namespace DashFlow.Benchmarks.Support;

/// <summary>Reads back what a checkpointed run stored, for the checks that every variant did the same work.</summary>
public static class Checkpoints
{
    /// <summary>A thread's checkpoints, oldest first.</summary>
    /// <param name="store">The store.</param>
    /// <param name="thread">The thread.</param>
    public static async ValueTask<List<Checkpoint>> OfAsync(ICheckpointer store, string thread)
    {
        var all = new List<Checkpoint>();
        await foreach (var tuple in store.ListAsync(thread, ""))
        {
            all.Add(tuple.Checkpoint);
        }

        all.Reverse();
        return all;
    }
}
