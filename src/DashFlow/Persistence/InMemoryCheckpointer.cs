using System.Runtime.CompilerServices;

namespace DashFlow.Persistence;

/// <summary>
/// Keeps checkpoints in memory: for tests and short-lived runs. Thread-safe. Everything is lost with the process.
/// </summary>
public sealed class InMemoryCheckpointer : ICheckpointer
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Thread, string Ns), SortedDictionary<string, Checkpoint>> _checkpoints = [];
    private readonly Dictionary<(string Thread, string Ns, string Field, string Version), byte[]> _blobs = [];
    private readonly Dictionary<(string Thread, string Ns, string Checkpoint), SortedDictionary<(string Task, int Index), PendingWrite>> _writes = [];

    /// <inheritdoc/>
    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_checkpoints.TryGetValue((threadId, checkpointNamespace), out var all) || all.Count == 0)
            {
                return new((CheckpointTuple?)null);
            }

            Checkpoint? checkpoint;
            if (checkpointId is null)
            {
                checkpoint = all.Values.Last();
            }
            else if (!all.TryGetValue(checkpointId, out checkpoint))
            {
                return new((CheckpointTuple?)null);
            }

            return new(Tuple(checkpoint));
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        List<CheckpointTuple> found = [];
        lock (_lock)
        {
            if (_checkpoints.TryGetValue((threadId, checkpointNamespace), out var all))
            {
                foreach (var checkpoint in all.Values.Reverse())
                {
                    if (options?.Before is { } before && string.CompareOrdinal(checkpoint.Id, before) >= 0)
                    {
                        continue;
                    }

                    if (options?.Metadata is { } filter && !filter.All(p => checkpoint.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
                    {
                        continue;
                    }

                    if (options?.Limit is { } limit && found.Count >= limit)
                    {
                        break;
                    }

                    found.Add(Tuple(checkpoint));
                }
            }
        }

        foreach (var tuple in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return tuple;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(newBlobs);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var blob in newBlobs)
            {
                _blobs[(checkpoint.ThreadId, checkpoint.Namespace, blob.Field, blob.Version)] = blob.Data;
            }

            var key = (checkpoint.ThreadId, checkpoint.Namespace);
            if (!_checkpoints.TryGetValue(key, out var all))
            {
                _checkpoints[key] = all = new SortedDictionary<string, Checkpoint>(StringComparer.Ordinal);
            }

            all[checkpoint.Id] = checkpoint;
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var key = (threadId, checkpointNamespace, checkpointId);
            if (!_writes.TryGetValue(key, out var all))
            {
                _writes[key] = all = new SortedDictionary<(string, int), PendingWrite>(WriteOrder.Instance);
            }

            foreach (var write in writes)
            {
                all[(write.TaskId, write.Index)] = write;
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var key in _checkpoints.Keys.Where(k => k.Thread == threadId).ToList())
            {
                _checkpoints.Remove(key);
            }

            foreach (var key in _blobs.Keys.Where(k => k.Thread == threadId).ToList())
            {
                _blobs.Remove(key);
            }

            foreach (var key in _writes.Keys.Where(k => k.Thread == threadId).ToList())
            {
                _writes.Remove(key);
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] threads;
        lock (_lock)
        {
            threads = [.. _checkpoints.Where(p => p.Value.Count > 0).Select(p => p.Key.Thread).Distinct().Order(StringComparer.Ordinal)];
        }

        foreach (var thread in threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private CheckpointTuple Tuple(Checkpoint checkpoint)
    {
        var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
        foreach (var (field, version) in checkpoint.FieldVersions)
        {
            if (_blobs.TryGetValue((checkpoint.ThreadId, checkpoint.Namespace, field, version), out var data))
            {
                fields.Add(new FieldBlob(field, version, data));
            }
        }

        IReadOnlyList<PendingWrite> writes = _writes.TryGetValue((checkpoint.ThreadId, checkpoint.Namespace, checkpoint.Id), out var all) ? [.. all.Values] : [];
        return new CheckpointTuple(checkpoint, fields, writes);
    }

    private sealed class WriteOrder : IComparer<(string Task, int Index)>
    {
        public static readonly WriteOrder Instance = new();

        public int Compare((string Task, int Index) x, (string Task, int Index) y)
        {
            var byTask = string.CompareOrdinal(x.Task, y.Task);
            return byTask != 0 ? byTask : x.Index.CompareTo(y.Index);
        }
    }
}
