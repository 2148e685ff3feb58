using System.Runtime.CompilerServices;
using DashFlow.Persistence;
using static DashFlow.Reduce;

namespace DashFlow.Tests.Persistence;

/// <summary>A state with a large field that most nodes never touch.</summary>
[GraphState]
public partial record BigState
{
    public string Big { get; init; } = "";

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];

    [Reducer(Sum)] public int Count { get; init; }
}

/// <summary>Wraps a checkpointer and counts what is written through it.</summary>
internal sealed class CountingCheckpointer(ICheckpointer inner) : ICheckpointer
{
    private readonly Lock _lock = new();
    private readonly List<FieldBlob> _blobs = [];
    private int _checkpoints;

    public CountingCheckpointer()
        : this(new InMemoryCheckpointer())
    {
    }

    public int Checkpoints
    {
        get
        {
            lock (_lock)
            {
                return _checkpoints;
            }
        }
    }

    public int BlobsOf(string field)
    {
        lock (_lock)
        {
            return _blobs.Count(b => b.Field == field);
        }
    }

    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default) =>
        inner.GetAsync(threadId, checkpointNamespace, checkpointId, cancellationToken);

    public IAsyncEnumerable<CheckpointTuple> ListAsync(string threadId, string checkpointNamespace, CheckpointListOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(threadId, checkpointNamespace, options, cancellationToken);

    public ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _checkpoints++;
            _blobs.AddRange(newBlobs);
        }

        return inner.PutAsync(checkpoint, newBlobs, cancellationToken);
    }

    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default) =>
        inner.PutWritesAsync(threadId, checkpointNamespace, checkpointId, writes, cancellationToken);

    public ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default) => inner.DeleteThreadAsync(threadId, cancellationToken);

    public IAsyncEnumerable<string> ListThreadsAsync(CancellationToken cancellationToken = default) => inner.ListThreadsAsync(cancellationToken);
}

internal static class PersistenceSupport
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items)
        {
            all.Add(item);
        }

        return all;
    }

    public static RunConfig Thread([CallerMemberName] string name = "") => new() { ThreadId = name };
}
