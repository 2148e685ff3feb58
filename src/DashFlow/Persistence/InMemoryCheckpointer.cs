using System.Runtime.CompilerServices;

namespace DashFlow.Persistence;

/// <summary>
/// Keeps checkpoints in memory: for tests and short-lived runs. Thread-safe. Everything is lost with the process.
/// </summary>
public sealed class InMemoryCheckpointer : ICheckpointer
{
    private readonly Lock _lock = new();

    /// <summary>
    /// One log per thread and namespace, holding its checkpoints, blobs and writes: the store's own tables stay as small
    /// as its thread count, so growing it never copies one huge array, and deleting a thread is one removal per namespace.
    /// </summary>
    private readonly Dictionary<(string Thread, string Ns), Log> _logs = [];

    /// <inheritdoc/>
    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_logs.TryGetValue((threadId, checkpointNamespace), out var log) || log.Latest is not { } latest)
            {
                return new((CheckpointTuple?)null);
            }

            return log.Checkpoints.TryGetValue(checkpointId ?? latest, out var checkpoint) ? new(log.Tuple(checkpoint)) : new((CheckpointTuple?)null);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        List<CheckpointTuple> found = [];
        lock (_lock)
        {
            if (_logs.TryGetValue((threadId, checkpointNamespace), out var log))
            {
                foreach (var checkpoint in log.Checkpoints.Values.Reverse())
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

                    found.Add(log.Tuple(checkpoint));
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
            var key = (checkpoint.ThreadId, checkpoint.Namespace);
            _logs.TryGetValue(key, out var log);
            CheckpointConflictException.ThrowIfNotLatest(checkpoint, log?.Latest);
            if (log is null)
            {
                _logs[key] = log = new Log();
            }

            foreach (var blob in newBlobs)
            {
                log.Blobs[(blob.Field, blob.Version)] = blob.Data;
            }

            log.Checkpoints[checkpoint.Id] = checkpoint;
            if (log.Latest is null || string.CompareOrdinal(checkpoint.Id, log.Latest) > 0)
            {
                log.Latest = checkpoint.Id;
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        ArgumentNullException.ThrowIfNull(checkpointId);
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var key = (threadId, checkpointNamespace);
            if (!_logs.TryGetValue(key, out var log))
            {
                _logs[key] = log = new Log();
            }

            if (!log.Writes.TryGetValue(checkpointId, out var all))
            {
                log.Writes[checkpointId] = all = new SortedDictionary<(string, int), PendingWrite>(WriteOrder.Instance);
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
        ArgumentNullException.ThrowIfNull(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var key in _logs.Keys.Where(k => k.Thread == threadId).ToList())
            {
                _logs.Remove(key);
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
            threads = [.. _logs.Where(p => p.Value.Latest is not null).Select(p => p.Key.Thread).Distinct().Order(StringComparer.Ordinal)];
        }

        foreach (var thread in threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>A thread's namespace: its checkpoints by id, the blobs of its field versions, its pending writes.</summary>
    private sealed class Log
    {
        public SortedDictionary<string, Checkpoint> Checkpoints { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Field, string Version), byte[]> Blobs { get; } = [];

        public Dictionary<string, SortedDictionary<(string Task, int Index), PendingWrite>> Writes { get; } = new(StringComparer.Ordinal);

        /// <summary>The greatest checkpoint id, so that neither a read nor a put walks the history.</summary>
        public string? Latest { get; set; }

        public CheckpointTuple Tuple(Checkpoint checkpoint)
        {
            var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
            foreach (var (field, version) in checkpoint.FieldVersions)
            {
                if (Blobs.TryGetValue((field, version), out var data))
                {
                    fields.Add(new FieldBlob(field, version, data));
                }
            }

            IReadOnlyList<PendingWrite> writes = Writes.TryGetValue(checkpoint.Id, out var all) ? [.. all.Values] : [];
            return new CheckpointTuple(checkpoint, fields, writes);
        }
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
